"""Translation engines (MarianMT, CTranslate2, Apertium), protected text, caching and batching.

Nothing here imports Django, so it runs and tests under plain pytest."""
