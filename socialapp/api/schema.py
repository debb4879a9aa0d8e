from typing import Any

from drf_spectacular import openapi


class AutoSchema(openapi.AutoSchema):
    """Names nested serializers after their view, so every `RegisterApi.InputSerializer`
    and `TokenCreateApi.InputSerializer` gets its own component (RegisterInput, TokenCreateInput)."""

    def _get_serializer_name(self, serializer: Any, direction: str, bypass_extensions: bool = False) -> str:
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        cls = serializer if isinstance(serializer, type) else type(serializer)
        owner = cls.__qualname__.split(".")[0]
        if owner != cls.__name__ and owner.endswith("Api"):
            prefix = owner.removesuffix("Api")
            for marker in ("Patched", ""):
                if name.startswith(marker):
                    return marker + prefix + name.removeprefix(marker)
        return name
