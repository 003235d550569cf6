"""The office's page (``zoufang serve``): its guard, uploads, background tasks, charts and templates.
Imports the layers below it, never xlwings; the routes that call the jobs live in ``zoufang.serve``.
"""
