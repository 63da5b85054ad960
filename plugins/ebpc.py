"""Registers EBPC (8/8, 16/8 and 16/16) and the EBPC report section."""

from accelbench import hookimpl
from accelbench.designs.ebpc.design import EbpcCodec
from accelbench.designs.ebpc.report import EbpcSection


@hookimpl
def accelbench_designs():
    return [EbpcCodec(8, 8), EbpcCodec(16, 8), EbpcCodec(16, 16)]


@hookimpl
def accelbench_report_sections():
    return [EbpcSection()]
