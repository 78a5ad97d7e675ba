"""Trained models shipped with bunrui as package data (found with importlib.resources)."""
