"""The hashtag-pretrained image tagger: torch code in ml/, Django glue beside it."""
