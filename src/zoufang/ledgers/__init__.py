"""The bound ledgers: their figures by person and unit, their templates, and the template engine that
fills and paginates them. Imports the layers below and progress.
"""
