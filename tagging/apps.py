from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaggingConfig(AppConfig):
    name = "tagging"
    verbose_name = _("Tagging")

    def ready(self) -> None:
        from celery.signals import worker_init, worker_ready
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from socialapp.accounts.extensions import training_stopped_hooks, user_export_sections
        from socialapp.hashtags.extensions import concept_changed_hooks
        from socialapp.photos.extensions import (
            photo_caption_hooks,
            photo_created_hooks,
            photo_decoded_hooks,
            photo_delete_hooks,
        )
        from socialapp.queueing import stuck_sweeps
        from socialapp.shop.extensions import category_suggesters
        from socialapp.storage_transfer import storage_transfers

        from .artifacts import artifacts_transfer
        from .ml.devices import device_check
        from .selectors import shop_suggestion
        from .services import (
            analyses_requeue_stuck,
            draft_analyses_requeue_stuck,
            embeddings_delete,
            neighbour_index_refresh,
            suggestions_export,
        )
        from .services.suggestions import (
            alt_texts_requeue_stuck,
            analysis_begin_early,
            concept_alt_texts_request,
            photo_suggestions_follow_caption,
            photo_tagging_start,
        )
        from .tasks import analyses_requeue_orphaned_on_ready

        try:  # when the process starts, not on its first analysis
            device_check(settings.TAGGING_DEVICE)
        except ValueError as error:
            raise ImproperlyConfigured(str(error)) from error
        photo_decoded_hooks.append(analysis_begin_early)
        photo_created_hooks.append(lambda photo: photo_tagging_start(photo=photo))
        photo_caption_hooks.append(lambda photo: photo_suggestions_follow_caption(photo=photo))
        concept_changed_hooks.append(lambda concept: concept_alt_texts_request(concept_id=concept.pk))
        category_suggesters.append(
            lambda photo: suggested.category if (suggested := shop_suggestion(photo=photo)) else None
        )
        stuck_sweeps["analyses"] = lambda: analyses_requeue_stuck()
        stuck_sweeps["alt texts"] = lambda: alt_texts_requeue_stuck()
        stuck_sweeps["draft analyses"] = lambda: draft_analyses_requeue_stuck()
        worker_ready.connect(analyses_requeue_orphaned_on_ready, dispatch_uid="analyses-requeue-orphaned")
        worker_init.connect(_models_code_import, dispatch_uid="tagging-models-code-import")
        photo_delete_hooks.append(lambda photo_ids: embeddings_delete(photo_ids=photo_ids))
        # The served neighbour index holds training photos' embeddings: they go with them.
        photo_delete_hooks.append(lambda photo_ids: neighbour_index_refresh())
        user_export_sections.append(suggestions_export)
        storage_transfers.append(artifacts_transfer)
        training_stopped_hooks.append(
            lambda user: embeddings_delete(photo_ids=list(user.photos.values_list("pk", flat=True)))
        )
        training_stopped_hooks.append(lambda user: neighbour_index_refresh())


def _models_code_import(**kwargs: object) -> None:
    """A worker imports the models' code (torch, timm) before it forks its children, which
    then share it instead of each importing it on its first analysis; processes that only
    serve requests never do (tests/test_web_process_imports.py)."""
    import tagging.ml.inference  # noqa: F401
