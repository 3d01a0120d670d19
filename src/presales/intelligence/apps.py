from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "presales.intelligence"
    verbose_name = "Customer intelligence"

    def ready(self) -> None:
        from presales.imports.services import engine
        from presales.intelligence import access  # noqa: F401  (registers the access rules)
        from presales.intelligence.aliases import merged_ids

        if merged_ids not in engine.ALIASES:
            engine.ALIASES.append(merged_ids)
