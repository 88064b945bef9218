"""Reviewer pages. Thin: validate, call one service or selector, render."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from reviews.forms import OverrideForm
from reviews.models import CriterionMark, WrittenReview
from reviews.selectors import answer_text, review_get, review_queue
from reviews.services import criterion_override, review_complete


@staff_member_required
def queue(request):
    reviews = review_queue(slug=request.GET.get("challenge") or None)[:200]
    return render(request, "reviews/queue.html", {"reviews": reviews})


@staff_member_required
def review_detail(request, review_id: int):
    try:
        review = review_get(review_id=review_id)
    except WrittenReview.DoesNotExist:
        raise Http404("No such review") from None
    return render(request, "reviews/review.html", {"review": review, "answer": answer_text(review=review),
                                                   "form": OverrideForm()})


@staff_member_required
@require_POST
def override(request, review_id: int, mark_id: int):
    mark = get_object_or_404(CriterionMark, pk=mark_id, review_id=review_id)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give points and a reason.")
        return redirect("reviews:review", review_id=review_id)
    try:
        criterion_override(mark=mark, reviewer=request.user, points=form.cleaned_data["points"],
                           reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{mark.criterion_id} set to {form.cleaned_data['points']:g}.")
    return redirect("reviews:review", review_id=review_id)


@staff_member_required
@require_POST
def complete(request, review_id: int):
    review = get_object_or_404(WrittenReview, pk=review_id)
    review_complete(review=review, reviewer=request.user)
    messages.success(request, "Review signed off.")
    return redirect("reviews:queue")
