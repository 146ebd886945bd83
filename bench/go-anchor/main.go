// The memory anchor of the controller benchmark (issue #34): a controller-runtime cache of the same
// kinds smi's controller watches, in Go, tuned as a careful Go controller would be — built-in kinds
// as typed structs, CRD kinds as unstructured, managedFields stripped before anything is stored.
// It lists and watches, prints "synced" when every informer has listed once, and stays until
// SIGTERM; the benchmark reads its peak resident memory from /proc beside smi's.
//
//	go-anchor KUBECONFIG KINDS_JSON
//
// KINDS_JSON: [{"group":"","version":"v1","kind":"Service"}, ...]
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

type kind struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "go-anchor: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: go-anchor KUBECONFIG KINDS_JSON")
	}
	var kinds []kind
	if err := json.Unmarshal([]byte(os.Args[2]), &kinds); err != nil {
		fail("kinds: %v", err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", os.Args[1])
	if err != nil {
		fail("kubeconfig: %v", err)
	}
	cfg.QPS, cfg.Burst = 200, 400 // listing is what is measured, not client-side throttling
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		fail("scheme: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	c, err := cache.New(cfg, cache.Options{Scheme: scheme, DefaultTransform: cache.TransformStripManagedFields()})
	if err != nil {
		fail("cache: %v", err)
	}
	go func() {
		if err := c.Start(ctx); err != nil {
			fail("cache stopped: %v", err)
		}
	}()
	for _, k := range kinds {
		gvk := schema.GroupVersionKind{Group: k.Group, Version: k.Version, Kind: k.Kind}
		var obj client.Object
		if scheme.Recognizes(gvk) {
			o, err := scheme.New(gvk)
			if err != nil {
				fail("%v: %v", gvk, err)
			}
			obj = o.(client.Object)
		} else {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(gvk)
			obj = u
		}
		if _, err := c.GetInformer(ctx, obj); err != nil {
			fail("informer for %v: %v", gvk, err)
		}
	}
	if !c.WaitForCacheSync(ctx) {
		fail("caches did not sync")
	}
	fmt.Println("synced")
	<-ctx.Done()
}
