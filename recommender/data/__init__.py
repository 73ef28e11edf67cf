"""Catalogue and interaction data: types, loaders, fetching, splitting."""

from recommender.data.types import Catalog, Dataset, Interactions, Item

__all__ = ["Catalog", "Dataset", "Interactions", "Item"]
