from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.serializers import WebhookDeliveryOutput, WebhookInput, WebhookOutput
from api.views.base import ApiView, error
from webhooks.models import Webhook
from webhooks.services import webhook_delete, webhook_set


def _token(request) -> Token:
    """The token the request came with; a browser session uses its user's token."""
    if isinstance(request.auth, Token):
        return request.auth
    return Token.objects.get_or_create(user=request.user)[0]


def _webhook_or_404(request) -> Webhook:
    try:
        return Webhook.objects.get(token=_token(request))
    except Webhook.DoesNotExist:
        raise NotFound("this token has no webhook; PUT one") from None


class WebhookApi(ApiView):
    """The webhook of the token you call with: one URL, told (signed) when a submission of yours is graded."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: WebhookOutput, 404: error("no webhook set")})
    def get(self, request):
        return Response(WebhookOutput(_webhook_or_404(request)).data)

    @extend_schema(request=WebhookInput, responses={200: WebhookOutput, 400: error("not an http(s) URL")})
    def put(self, request):
        data = WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        webhook = webhook_set(token=_token(request), url=data.validated_data["url"], rotate_secret=data.validated_data["rotate_secret"])
        return Response(WebhookOutput(webhook).data)

    @extend_schema(responses={204: None, 404: error("no webhook set")})
    def delete(self, request):
        if not webhook_delete(token=_token(request)):
            raise NotFound("this token has no webhook")
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveriesApi(ApiView):
    """The latest deliveries to your webhook: what was sent, how many attempts, the last error."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: WebhookDeliveryOutput(many=True), 404: error("no webhook set")})
    def get(self, request):
        return Response(WebhookDeliveryOutput(_webhook_or_404(request).deliveries.all()[:50], many=True).data)
