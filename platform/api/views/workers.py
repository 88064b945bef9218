from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api.serializers import DeviceClassOutput
from api.views.base import ApiView


class DeviceClassListApi(ApiView):
    """The device classes a submission may name now: those with a live worker (heartbeat)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=DeviceClassOutput(many=True))
    def get(self, request):
        from workers.selectors import live_device_classes

        return Response(DeviceClassOutput(live_device_classes(), many=True).data)
