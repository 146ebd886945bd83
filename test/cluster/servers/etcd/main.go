// etcd for the tests: etcd's own server (go.etcd.io/etcd/server/v3/etcdmain), the version the
// pinned Kubernetes release requires.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
