"""The HTTP face of ClusterGraph: the SPARQL 1.1 Protocol endpoint and its self-description."""
