"""The hand-kept stop list of non-visual hashtags (see vocabulary): plain Python, so the
processes that only serve requests read it without loading torch."""

STOP_LIST: frozenset[str] = frozenset(
    {
        "photooftheday",
        "picoftheday",
        "tbt",
        "instagood",
        "love",
        "follow",
        "nofilter",
        "like4like",
        "instadaily",
        "happy",
        "mood",
        "motivation",
        "weekend",
        "sunday",
        "fotodeldia",
    }
)
