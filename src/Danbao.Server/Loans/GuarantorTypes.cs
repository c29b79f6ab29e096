using DomainGuarantorType = Danbao.Domain.Compensation.GuarantorType;
using ProtoGuarantorType = Danbao.Contracts.V1.GuarantorType;

namespace Danbao.Server.Loans;

/// <summary>The guarantor type between the contract's enum and the domain's (policy.md §1).</summary>
public static class GuarantorTypes
{
    /// <summary>The guarantor a request names: unspecified is the guarantee fund; null for a value the contract does not define.</summary>
    public static DomainGuarantorType? FromProto(ProtoGuarantorType type) => type switch
    {
        ProtoGuarantorType.Unspecified or ProtoGuarantorType.GuaranteeFund => DomainGuarantorType.GuaranteeFund,
        ProtoGuarantorType.GovernmentFinancingGuarantor => DomainGuarantorType.GovernmentFinancingGuarantor,
        _ => null,
    };

    public static ProtoGuarantorType ToProto(DomainGuarantorType type) => type == DomainGuarantorType.GovernmentFinancingGuarantor
        ? ProtoGuarantorType.GovernmentFinancingGuarantor
        : ProtoGuarantorType.GuaranteeFund;
}
