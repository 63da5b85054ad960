"""Hypothesis strategy of random residual graphs for the memory-planner tests."""

from hypothesis import strategies as st

from accelbench.networks.builder import NetBuilder


@st.composite
def residual_networks(draw, max_blocks: int = 6):
    """Chains of plain convs, identity and projection residual blocks, squeeze-excite
    scaling, upsample + concat routes and extra heads, at small random shapes."""
    c = draw(st.integers(1, 6))
    h = draw(st.sampled_from([2, 4, 6, 8, 12]))
    b = NetBuilder("random", (c, h, h))
    x = "input"
    earlier = []
    for i in range(draw(st.integers(1, max_blocks))):
        kind = draw(st.sampled_from(["conv", "res", "proj", "se", "route", "head"]))
        ch = draw(st.integers(1, 8))
        if kind == "conv":
            x = b.conv(f"c{i}", x, ch, 3, 1, 1)
        elif kind == "res":
            y = b.conv(f"r{i}.a", x, ch, 1)
            for j in range(draw(st.integers(0, 2))):
                y = b.conv(f"r{i}.b{j}", y, ch, 3, 1, 1)
            y = b.conv(f"r{i}.c", y, b.shape(x)[0], 1, activation="linear")
            x = b.add(f"r{i}.add", (y, x), activation="relu")
        elif kind == "proj":
            s = 2 if b.shape(x)[1] >= 4 else 1
            y = b.conv(f"p{i}.a", x, ch, 3, s, 1)
            y = b.conv(f"p{i}.b", y, ch, 3, 1, 1, activation="linear")
            d = b.conv(f"p{i}.down", x, ch, 1, s, activation="linear")
            x = b.add(f"p{i}.add", (y, d), activation="relu")
        elif kind == "se":
            s = b.global_avgpool(f"s{i}.pool", x)
            s = b.conv(f"s{i}.fc", s, b.shape(x)[0], 1, activation="sigmoid")
            x = b.mul(f"s{i}.scale", x, s)
        elif kind == "route":
            same = [t for t in earlier if b.shape(t)[1:] == b.shape(x)[1:]]
            small = [t for t in earlier if b.shape(t)[1] * 2 == b.shape(x)[1]]
            if same:
                x = b.concat(f"cat{i}", (x, draw(st.sampled_from(same))))
            elif small:
                up = b.upsample(f"up{i}", draw(st.sampled_from(small)), 2)
                x = b.concat(f"cat{i}", (x, up))
            else:
                x = b.conv(f"c{i}", x, ch, 1)
        else:
            b.conv(f"head{i}", x, ch, 1, activation="linear")
        earlier.append(x)
    return b.build("random residual graph (tests)")
