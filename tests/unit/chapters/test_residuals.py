"""Unit tests of mlpbook.residual: residual MLPs with optional normalization."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import mlpbook
from mlpbook.chapters.residuals import NORMS, PLACEMENTS, ResidualBlock, ResidualMLP, make_norm


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize("skip", [True, False])
def test_shapes(norm, placement, skip) -> None:
    model = ResidualMLP(3, 8, 5, blocks=3, hidden=12, norm=norm, placement=placement, skip=skip)
    assert model(torch.randn(7, 3)).shape == (7, 5)
    assert len(model.blocks) == 3
    assert model.blocks[0].fc1.weight.shape == (12, 8) and model.blocks[0].fc2.weight.shape == (
        8,
        12,
    )
    assert len(model.linear_layers()) == 2 + 2 * 3
    names = [name for name, _ in model.linear_layers()]
    assert names[0] == "inp" and names[1] == "blocks.0.fc1" and names[-1] == "out"


def test_zero_blocks_is_two_linear_layers() -> None:
    model = ResidualMLP(2, 4, 3, blocks=0)
    x = torch.randn(5, 2)
    assert torch.allclose(model(x), model.out(model.inp(x)))


def test_norm_layers_by_name() -> None:
    assert isinstance(make_norm("batch", 4), nn.BatchNorm1d)
    assert isinstance(make_norm("Layer", 4), nn.LayerNorm)
    assert isinstance(make_norm("none", 4), nn.Identity)
    block = ResidualBlock(4, norm="batch")
    assert block.norm.num_features == 4


def test_block_formulas() -> None:
    torch.manual_seed(0)
    h = torch.randn(6, 4)
    post = ResidualBlock(4, norm="layer", placement="post").eval()
    f = post.fc2(torch.relu(post.fc1(h)))
    assert torch.allclose(post(h), F.layer_norm(h + f, (4,), post.norm.weight, post.norm.bias))
    pre = ResidualBlock(4, norm="layer", placement="pre").eval()
    f_pre = pre.fc2(torch.relu(pre.fc1(F.layer_norm(h, (4,)))))
    assert torch.allclose(pre(h), h + f_pre)
    plain = ResidualBlock(4, skip=False)
    assert torch.allclose(plain(h), plain.fc2(torch.relu(plain.fc1(h))))


def test_identity_initialization_as_in_the_source() -> None:
    model = ResidualMLP(2, 2, 2, blocks=2, init="identity")
    for _, layer in model.linear_layers():
        assert torch.equal(layer.weight.data, torch.eye(2)) and torch.count_nonzero(layer.bias) == 0
    x = torch.randn(10, 2)
    h = x
    for _ in range(2):
        h = h + torch.relu(h)  # each block starts as h + ReLU(h)
    assert torch.allclose(model(x), h)
    with pytest.raises(ValueError, match="square"):
        ResidualMLP(2, 3, 2, init="identity")


def test_generator_makes_initialization_reproducible() -> None:
    a = ResidualMLP(2, 4, 2, init="he", generator=mlpbook.make_generator(3))
    b = ResidualMLP(2, 4, 2, init="he", generator=mlpbook.make_generator(3))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_skip_carries_gradient_through_dead_branches() -> None:
    """With every ReLU of every branch off, the residual network still passes gradient to its
    input layer; the plain one passes none."""
    x = torch.randn(20, 3)
    grads = {}
    for skip in (True, False):
        model = ResidualMLP(3, 4, 2, blocks=3, skip=skip)
        with torch.no_grad():
            for block in model.blocks:
                block.fc1.weight.zero_()
                block.fc1.bias.fill_(-1.0)  # pre-activations all -1: every unit off
        model(x).pow(2).mean().backward()
        grads[skip] = model.inp.weight.grad.abs().sum().item()
    assert grads[True] > 0 and grads[False] == 0


def test_trains_with_mlpbook_train() -> None:
    mlpbook.seed_everything(0)
    d = mlpbook.three_clusters(20)
    model = ResidualMLP(2, 2, 2, blocks=2, norm="batch", init="identity")
    history = mlpbook.train(model, d.x, d.y, epochs=30, lr=0.01, show_progress=False)
    assert history.final_loss < history.loss[0]


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(norm="group"), ValueError, "unknown norm 'group'; allowed: none, batch, layer"),
        (dict(norm=None), TypeError, "norm must be a string"),
        (dict(placement="middle"), ValueError, "unknown placement 'middle'; allowed: post, pre"),
        (dict(blocks=-1), ValueError, "blocks must be >= 0"),
        (dict(blocks=1.5), TypeError, "blocks must be an int"),
        (dict(hidden=0), ValueError, "hidden must be >= 1"),
        (dict(skip="yes"), TypeError, "skip must be True or False"),
        (dict(activation="relu7"), ValueError, "unknown activation 'relu7'"),
        (dict(init="glorot"), ValueError, "unknown initializer 'glorot'"),
    ],
)
def test_rejects_bad_arguments(kwargs, error, words) -> None:
    with pytest.raises(error, match=words):
        ResidualMLP(2, 4, 2, **kwargs)


def test_rejects_bad_widths() -> None:
    with pytest.raises(ValueError, match="width must be >= 1"):
        ResidualMLP(2, 0, 2)
    with pytest.raises(TypeError, match="d_in must be an int"):
        ResidualMLP("2", 4, 2)
