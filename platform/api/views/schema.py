from django.http import JsonResponse
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView


class PlainYamlRenderer(OpenApiYamlRenderer):
    """The same YAML for `Accept: application/yaml` (drf-spectacular's is application/vnd.oai.openapi)."""

    media_type = "application/yaml"


class SchemaView(SpectacularAPIView):
    """OpenAPI 3: JSON unless YAML is asked for (Accept header or ?format=yaml)."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer, PlainYamlRenderer]


def api_root(request):
    """GET /api/: where the schema and its documentation are."""
    return JsonResponse({"schema": "/api/schema/", "docs": "/api/docs/", "redoc": "/api/docs/redoc/", "token": "/api/token/"})
