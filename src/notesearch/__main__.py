"""``python -m notesearch``."""

from .cli import main

if __name__ == "__main__":
    main()
