"""The demo campaign and the generators of larger campaigns for the bench.
Imports contract and xlsx.
"""
