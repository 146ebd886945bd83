// kube-controller-manager, as Kubernetes builds it: the garbage collector (owner references), the
// namespace controller and the service-account controllers the tests rely on.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
