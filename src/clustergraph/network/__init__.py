"""Step 7, network: the collaboration network read from the store by SPARQL, its metrics and its exports.

The only package that imports networkx (and matplotlib, for the picture). ``extract`` turns SPARQL rows into
graphs, ``metrics`` measures them, ``exports`` writes the files analysts open in Gephi or VOSviewer and
``picture`` draws a PNG.
"""
