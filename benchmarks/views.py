"""The floors every page is measured against, served by the same gunicorn and middleware as the product."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from benchmarks.models import FloorRow


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt  # the floor is the INSERT alone; the beacon's own CSRF check is part of what it costs
@require_POST
def insert(request):
    FloorRow.objects.create(client_id=request.POST["client_id"], seconds=5)
    return HttpResponse(status=204)
