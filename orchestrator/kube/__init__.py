"""The Kubernetes client boundary: per-cluster clients built from AKS credentials, error mapping."""
