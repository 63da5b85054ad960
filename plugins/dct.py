"""Registers the DCT feature-map codecs, 2-D DCT (Shao et al.) and channel DCT (DCT-CM),
and the DCT report section.

Names say the number format a variant takes (``fixed8`` signed, ``uint8`` level-shifted)
and its quantisation table: ``jpeg-qN`` (libjpeg quality N; q100 is the near-lossless
end), ``uniform-sN`` (one step N; s1 is near-lossless), ``zonal-kN`` (keep u+v < N).
"""

from accelbench import hookimpl
from accelbench.designs.dct.design import DctCmCodec, DctCodec
from accelbench.designs.dct.report import DctSection

#: (format, table, value) of the 2-D variants
VARIANTS_2D = (
    *(("fixed8", "jpeg", q) for q in (100, 95, 90, 75, 50, 25)),
    ("fixed8", "uniform", 1),
    ("fixed8", "uniform", 4),
    ("fixed8", "zonal", 4),
    *(("uint8", "jpeg", q) for q in (100, 95, 90, 75, 50, 25)),
)
#: (format, table, value) of the channel-DCT variants
VARIANTS_CM = (
    ("fixed8", "jpeg", 90),
    ("fixed8", "jpeg", 50),
    ("uint8", "jpeg", 50),
)


@hookimpl
def accelbench_designs():
    return ([DctCodec(fmt, table, value) for fmt, table, value in VARIANTS_2D]
            + [DctCmCodec(fmt, table, value) for fmt, table, value in VARIANTS_CM])


@hookimpl
def accelbench_report_sections():
    return [DctSection()]
