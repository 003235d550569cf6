"""The Word documents the office hands its leaders (brief, summary, rota): templates and their contexts.
Imports the layers below and progress.
"""
