"""The tagger's torch code: backbones, preprocessing, inference, cold start, training.

Nothing here imports Django, so it runs and tests under plain pytest and torchrun."""
