"""Industrial assembly (Decrees 166 and 566): localisation = 1 − imported component value ÷ standard kit value.

For node ``j`` the standard kit is its direct inputs at their values: ``kit_j = Σ_i B[i, j] + u_j`` [fraction
of ``v_j``], ``u_j`` the value of BOM inputs with no supply link (unmapped).  Imported:
``imp_j = Σ_{i outside the group} B[i, j] + u_j`` (an input of unknown source counts as imported).
``share_j = 1 − imp_j / kit_j`` (1 when the kit is empty), compared with the target [%] of the year.
"""

from __future__ import annotations

import numpy as np

from importsub.compile.network import BoolArray, FloatArray, Network


def assembly_share(net: Network, inside: BoolArray) -> FloatArray:
    """``1 − imp_j / kit_j`` [fraction] of every node (see the module docstring)."""
    B = net.B.tocsc()
    kit = np.asarray(B.sum(axis=0)).ravel() + net.unmapped_inputs
    imported = np.asarray(B.T @ (~inside).astype(np.float64)).ravel() + net.unmapped_inputs
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(kit > 0, 1.0 - imported / np.where(kit > 0, kit, 1.0), 1.0)
    return np.clip(share, 0.0, 1.0)
