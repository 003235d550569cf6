"""python -m zoufang: the command line."""
from .cli import app

app(prog_name="zoufang")
