"""ClusterGraph: the European Clusters Alliance good practices as a validated, linked knowledge graph."""

__version__ = "0.1.0"
