"""Inter-coder agreement: coefficients, MASI set alpha, the unitized alpha family and the report."""

from codebench.domain.agreement.codings import CodingTable
from codebench.domain.agreement.coefficients import (
    Coefficient,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    krippendorff_alpha_ci,
    percent_agreement,
)
from codebench.domain.agreement.disagreements import disagreement_labels, find_all_disagreements
from codebench.domain.agreement.masi import krippendorff_alpha_masi, masi_distance
from codebench.domain.agreement.report import (
    AgreementInput,
    AgreementReport,
    CodeAgreement,
    Disagreement,
    OverallAgreement,
    TranscriptUnits,
    compute_agreement,
    find_disagreements,
)
from codebench.domain.agreement.thresholds import RELIABLE, TENTATIVE
from codebench.domain.agreement.unitized import UnitizedAgreement, unitized_agreement

__all__ = [
    "RELIABLE",
    "TENTATIVE",
    "AgreementInput", "AgreementReport", "CodeAgreement", "CodingTable", "Coefficient", "Disagreement",
    "OverallAgreement", "TranscriptUnits", "UnitizedAgreement", "cohen_kappa", "compute_agreement",
    "disagreement_labels", "find_all_disagreements", "find_disagreements", "fleiss_kappa", "gwet_ac1",
    "krippendorff_alpha", "krippendorff_alpha_ci", "krippendorff_alpha_masi", "masi_distance", "percent_agreement",
    "unitized_agreement",
]
