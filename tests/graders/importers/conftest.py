import pytest

from tests.graders.importers.sources import gpumode_source, kernelbench_source


@pytest.fixture
def kernelbench_dir(tmp_path):
    return kernelbench_source(tmp_path / "src")


@pytest.fixture
def gpumode_dir(tmp_path):
    return gpumode_source(tmp_path / "src")


@pytest.fixture
def out_dir(tmp_path):
    return tmp_path / "out"
