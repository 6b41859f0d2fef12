"""Gobierno Abierto KG: a knowledge graph of open-government practices in Mexico."""

__version__ = "0.1.0"
