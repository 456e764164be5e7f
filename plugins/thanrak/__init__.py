"""Thanrak (ฐานราก): the CDD grassroots-economy data platform."""
