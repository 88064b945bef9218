"""hints.md split into hints, and the reveal service."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from catalog.hints import split_hints
from catalog.services import NoMoreHints, hint_reveal
from tests.conftest import REPO_ROOT
from tests.factories import ChallengeVersionFactory, UserFactory


def test_a_numbered_list_is_one_hint_per_item_with_its_continuation_lines():
    hints = split_hints("# Hints\n\n1. One\n   more of one.\n2. Two:\n\n       code()\n3. Three\n\nNot a hint.\n")
    assert hints == ["One\nmore of one.", "Two:\n\n   code()", "Three"]


def test_sections_or_plain_text_also_work():
    assert split_hints("## Start\nA\n\n## Then\nB\n") == ["## Start\nA", "## Then\nB"]
    assert split_hints("# Hints\n\nJust think.\n") == ["Just think."]
    assert split_hints("") == [] and split_hints("# Hints\n") == []


def test_every_package_has_hints_that_split():
    for path in sorted((REPO_ROOT / "challenges").glob("*/hints.md")):
        assert len(split_hints(path.read_text())) >= 2, path


@pytest.mark.django_db
def test_reveals_go_in_order_and_stop_at_the_last():
    challenge = ChallengeVersionFactory(hints_md="1. a\n2. b\n").challenge
    user = UserFactory()
    assert [hint_reveal(user=user, challenge=challenge).index for _ in range(2)] == [0, 1]
    with pytest.raises(NoMoreHints, match="All 2 hints"):
        hint_reveal(user=user, challenge=challenge)
    with pytest.raises(PermissionDenied):
        hint_reveal(user=AnonymousUser(), challenge=challenge)
    with pytest.raises(NoMoreHints, match="no hints"):
        hint_reveal(user=user, challenge=ChallengeVersionFactory(hints_md="").challenge)
