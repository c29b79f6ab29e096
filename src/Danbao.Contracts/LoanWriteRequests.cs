using Google.Protobuf;

namespace Danbao.Contracts.V1;

/// <summary>A write on one loan: which loan, the caller's request id, and the etag it last read.</summary>
public interface ILoanWriteRequest : IMessage
{
    string RequestId { get; }
    string Name { get; }
    string Etag { get; }
}

public partial class ReviewEligibilityRequest : ILoanWriteRequest;
public partial class LodgeObjectionRequest : ILoanWriteRequest;
public partial class ResolveObjectionRequest : ILoanWriteRequest;
public partial class ConcludePublicityRequest : ILoanWriteRequest;
public partial class RecordDueDiligenceRequest : ILoanWriteRequest;
public partial class ApproveLoanRequest : ILoanWriteRequest;
public partial class RejectLoanRequest : ILoanWriteRequest;
public partial class IssueGuaranteeRequest : ILoanWriteRequest;
public partial class DisburseLoanRequest : ILoanWriteRequest;
public partial class AmendLoanTermsRequest : ILoanWriteRequest;
public partial class RecordRepaymentRequest : ILoanWriteRequest;
public partial class ExtendLoanRequest : ILoanWriteRequest;
