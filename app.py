"""Launcher kept for ``python app.py``: the web app lives in the installed package ``web``."""
from web.app import main

if __name__ == "__main__":
    main()
