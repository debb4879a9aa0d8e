"""English <-> Spanish chat translation with MarianMT: engines in ml/, Django glue beside it."""
