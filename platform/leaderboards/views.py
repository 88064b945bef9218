"""Board pages. Thin: read the query string, call one selector, render."""
from django.http import Http404
from django.shortcuts import render

from catalog.models import Challenge
from leaderboards.selectors import (
    DEFAULT_LIMIT, EntryNotFound, board_challenge, board_sizes, challenge_board, entry_view, global_board, user_entry,
)

PAGE = DEFAULT_LIMIT


def _page(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 100_000))
    except (TypeError, ValueError):
        return 1


def _device_class(request, classes: list[str]) -> str:
    wanted = request.GET.get("device_class") or ""
    return wanted if wanted in classes else (classes[0] if classes else "cpu")


def _paging(page: int, size: int) -> dict:
    return {"page": page, "has_next": page * PAGE < size, "has_previous": page > 1, "size": size}


def challenge_board_page(request, slug: str):
    try:
        challenge = board_challenge(slug=slug)
    except Challenge.DoesNotExist:
        raise Http404("No such challenge") from None
    sizes = board_sizes(challenge=challenge)
    device_class, page = _device_class(request, list(sizes)), _page(request)
    context = {
        "challenge": challenge, "device_class": device_class, "device_classes": list(sizes),
        "rows": challenge_board(challenge=challenge, device_class=device_class, limit=PAGE, offset=(page - 1) * PAGE),
        "mine": user_entry(user=request.user, challenge=challenge, device_class=device_class),
        **_paging(page, sizes.get(device_class, 0)),
    }
    return render(request, "leaderboards/challenge_board.html", context)


def global_board_page(request):
    sizes = board_sizes()
    device_class, page = _device_class(request, list(sizes)), _page(request)
    context = {
        "device_class": device_class, "device_classes": list(sizes),
        "rows": global_board(device_class=device_class, limit=PAGE, offset=(page - 1) * PAGE),
        **_paging(page, sizes.get(device_class, 0)),
    }
    return render(request, "leaderboards/global_board.html", context)


def entry_page(request, submission_id):
    try:
        entry = entry_view(submission_id=submission_id, viewer=request.user)
    except EntryNotFound:
        raise Http404("No such entry") from None
    return render(request, "leaderboards/entry.html", {"entry": entry})
