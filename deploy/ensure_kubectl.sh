#!/bin/sh
# Make sure a kubectl is at hand for tests/unit/test_k8s.py (`kubectl kustomize`): the one on
# PATH, else Debian's kubernetes-client package (installed as root with apt-get).
set -eu
command -v kubectl >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure_kubectl: kubectl is missing; install Debian's kubernetes-client (as root)" >&2
    exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client >/dev/null
command -v kubectl >/dev/null 2>&1
