"""The project's cell table: IHP SG13G2 130 nm standard-cell areas, as a Liberty file.

Areas are those of the open IHP SG13G2 PDK (Apache-2.0) for the drive-1 cells listed in
specs/toolchain.md; the Boolean functions are the cells' documented functions. Only area
and function are modelled (no timing), which is what GE needs. The library has no
flip-flop without reset, so every register maps to ``dfrbpq_1`` (D flip-flop with async
active-low reset).
"""

from __future__ import annotations

from dataclasses import dataclass

NAND2_AREA_UM2 = 7.2576
LIBRARY = "ihp_sg13g2_accelbench"
TECHNOLOGY = ("IHP SG13G2 130 nm cell areas (accelbench cell table, drive strength 1, "
              "NAND2 = 7.2576 um^2 = 1 GE); Yosys + ABC area mapping; registers as "
              "dfrbpq_1; memories excluded and reported in bits")


@dataclass(frozen=True)
class Cell:
    name: str
    area_um2: float
    inputs: tuple[str, ...]
    output: str
    function: str  # Liberty syntax

    @property
    def ge(self) -> float:
        return self.area_um2 / NAND2_AREA_UM2

    @property
    def liberty_name(self) -> str:
        return f"sg13g2_{self.name}"


COMBINATIONAL: tuple[Cell, ...] = (
    Cell("inv_1", 5.4432, ("A",), "Y", "!A"),
    Cell("buf_1", 7.2576, ("A",), "X", "A"),
    Cell("nand2_1", 7.2576, ("A", "B"), "Y", "!(A&B)"),
    Cell("nor2_1", 7.2576, ("A", "B"), "Y", "!(A|B)"),
    Cell("and2_1", 9.0720, ("A", "B"), "X", "(A&B)"),
    Cell("or2_1", 9.0720, ("A", "B"), "X", "(A|B)"),
    Cell("nand3_1", 9.0720, ("A", "B", "C"), "Y", "!(A&B&C)"),
    Cell("nor3_1", 9.0720, ("A", "B", "C"), "Y", "!(A|B|C)"),
    Cell("nand4_1", 10.8864, ("A", "B", "C", "D"), "Y", "!(A&B&C&D)"),
    Cell("nor4_1", 10.8864, ("A", "B", "C", "D"), "Y", "!(A|B|C|D)"),
    Cell("and3_1", 12.7008, ("A", "B", "C"), "X", "(A&B&C)"),
    Cell("or3_1", 12.7008, ("A", "B", "C"), "X", "(A|B|C)"),
    Cell("and4_1", 14.5152, ("A", "B", "C", "D"), "X", "(A&B&C&D)"),
    Cell("or4_1", 14.5152, ("A", "B", "C", "D"), "X", "(A|B|C|D)"),
    Cell("nand2b_1", 9.0720, ("A_N", "B"), "Y", "!(!A_N&B)"),
    Cell("nor2b_1", 9.0720, ("A", "B_N"), "Y", "!(A|!B_N)"),
    Cell("xor2_1", 14.5152, ("A", "B"), "X", "(A^B)"),
    Cell("xnor2_1", 14.5152, ("A", "B"), "Y", "!(A^B)"),
    Cell("mux2_1", 18.1440, ("A0", "A1", "S"), "X", "((A0&!S)|(A1&S))"),
    Cell("mux4_1", 38.1024, ("A0", "A1", "A2", "A3", "S0", "S1"), "X",
         "((A0&!S0&!S1)|(A1&S0&!S1)|(A2&!S0&S1)|(A3&S0&S1))"),
    Cell("a21oi_1", 9.0720, ("A1", "A2", "B1"), "Y", "!((A1&A2)|B1)"),
    Cell("o21ai_1", 9.0720, ("A1", "A2", "B1"), "Y", "!((A1|A2)&B1)"),
    Cell("a21o_1", 12.7008, ("A1", "A2", "B1"), "X", "((A1&A2)|B1)"),
    Cell("a22oi_1", 10.8486, ("A1", "A2", "B1", "B2"), "Y", "!((A1&A2)|(B1&B2))"),
    Cell("a221oi_1", 14.5152, ("A1", "A2", "B1", "B2", "C1"), "Y", "!((A1&A2)|(B1&B2)|C1)"),
)
FLIP_FLOP = Cell("dfrbpq_1", 48.9888, ("D", "CLK", "RESET_B"), "Q", "IQ")
CELLS: dict[str, Cell] = {c.liberty_name: c for c in (*COMBINATIONAL, FLIP_FLOP)}


def liberty_text() -> str:
    """A minimal Liberty library (area + function) for Yosys' dfflibmap and abc."""
    lines = [f"library({LIBRARY}) {{", '  delay_model : table_lookup;',
             '  time_unit : "1ns";', "  capacitive_load_unit (1,pf);"]
    for cell in COMBINATIONAL:
        lines.append(f"  cell({cell.liberty_name}) {{")
        lines.append(f"    area : {cell.area_um2};")
        lines += [f"    pin({pin}) {{ direction : input; }}" for pin in cell.inputs]
        lines.append(f'    pin({cell.output}) {{ direction : output; '
                     f'function : "{cell.function}"; }}')
        lines.append("  }")
    lines += [
        f"  cell({FLIP_FLOP.liberty_name}) {{",
        f"    area : {FLIP_FLOP.area_um2};",
        '    ff(IQ, IQN) { next_state : "D"; clocked_on : "CLK"; clear : "!RESET_B"; }',
        "    pin(D) { direction : input; }",
        "    pin(CLK) { direction : input; clock : true; }",
        "    pin(RESET_B) { direction : input; }",
        '    pin(Q) { direction : output; function : "IQ"; }',
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"
