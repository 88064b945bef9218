"""The rubric file format: what loads, and errors that name the file and the field."""
from __future__ import annotations

import pytest

from graders.rubric import RubricError, load_rubric
from graders.rubric.datasets import WRITTEN_SLUGS, rubric_path

VALID = '''
question = "Why is the sky blue?"
max_points = 3

[[criterion]]
id = "scattering"
points = 2
description = "Rayleigh scattering favours short wavelengths."
aliases = ["rayleigh"]
positive = ["Short wavelengths scatter more."]
negative = ["Because the sea reflects it."]

[[criterion]]
id = "sun_angle"
points = 1
description = "Sunsets are red because light crosses more air."
positive = ["At sunset light crosses more atmosphere."]
negative = ["The sun is red."]

[[misconception]]
id = "ocean_reflection"
points = -1
description = "The sky reflects the ocean."
positive = ["The sky is blue because it reflects the sea."]
negative = ["The sea does not colour the sky."]
'''


def write(tmp_path, text: str):
    path = tmp_path / "rubric.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("slug", WRITTEN_SLUGS)
def test_the_written_challenges_rubrics_load(slug):
    rubric = load_rubric(rubric_path(slug))
    assert rubric.max_points == 10
    assert sum(c.points for c in rubric.scoring_criteria) == 10
    assert rubric.misconceptions and all(c.points < 0 for c in rubric.misconceptions)
    assert all(c.positive and c.negative for c in rubric.criteria)


def test_a_valid_rubric_loads_with_its_misconception(tmp_path):
    rubric = load_rubric(write(tmp_path, VALID))
    assert [c.id for c in rubric.scoring_criteria] == ["scattering", "sun_angle"]
    assert rubric.misconceptions[0].is_misconception
    assert rubric.criterion("scattering").aliases == ("rayleigh",)


@pytest.mark.parametrize("edit, field", [
    (lambda t: t.replace('question = "Why is the sky blue?"', ""), "question"),
    (lambda t: t.replace("max_points = 3", "max_points = 4"), "max_points"),
    (lambda t: t.replace("points = -1", "points = 1"), "misconception[0] (ocean_reflection).points"),
    (lambda t: t.replace('id = "sun_angle"', 'id = "scattering"'), "'id' 'scattering'"),
    (lambda t: t.replace('id = "sun_angle"', 'id = "Sun Angle"'), "criterion[1].id"),
    (lambda t: t.replace('aliases = ["rayleigh"]', 'aliases = "rayleigh"'), "criterion[0] (scattering).aliases"),
    (lambda t: t.replace('positive = ["Short wavelengths scatter more."]', "positive = []"), "criterion[0] (scattering).positive"),
    (lambda t: t.replace('aliases = ["rayleigh"]', 'synonyms = ["rayleigh"]'), "criterion[0].synonyms"),
    (lambda t: t + "\n[[criterion]\n", "not valid TOML"),
])
def test_errors_name_the_file_and_the_field(tmp_path, edit, field):
    path = write(tmp_path, edit(VALID))
    with pytest.raises(RubricError) as error:
        load_rubric(path)
    assert str(path) in str(error.value)
    assert field in str(error.value)


def test_a_missing_file_is_a_rubric_error(tmp_path):
    with pytest.raises(RubricError, match="file not found"):
        load_rubric(tmp_path / "nope.toml")
