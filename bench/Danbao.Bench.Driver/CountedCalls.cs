using Danbao.Client;
using Danbao.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Danbao.Bench.Driver;

/// <summary>
/// The loan calls of the load as a load generator makes them: the same request, headers, deadline and channel (with its
/// write retries) as the SDK's, but the reply's bytes are counted, not decoded into objects (as h2load counts them in
/// row 1; pgbench converts no value either). Decoding a page of 50 loans cost this driver more CPU than PostgreSQL
/// spent on the page, on the same two cores as the server. Each worker's first call goes through the SDK and its reply
/// is checked (<see cref="CheckedAsync"/>).
/// </summary>
internal sealed class CountedCalls(DanbaoClient client, string apiKey, TimeSpan timeout)
{
    private static readonly Marshaller<Received> ReplyBytes = Marshallers.Create<Received>(
        (_, _) => throw new NotSupportedException("a reply is never sent"), context => new Received(context.PayloadLength));

    private static readonly Method<GetLoanRequest, Received> Get = new(MethodType.Unary, LoanService.Descriptor.FullName, "GetLoan",
        Request<GetLoanRequest>(), ReplyBytes);

    private static readonly Method<ListLoansRequest, Received> List = new(MethodType.Unary, LoanService.Descriptor.FullName, "ListLoans",
        Request<ListLoansRequest>(), ReplyBytes);

    private static readonly Method<RecordRepaymentRequest, Received> Repay = new(MethodType.Unary, LoanService.Descriptor.FullName, "RecordRepayment",
        Request<RecordRepaymentRequest>(), ReplyBytes);

    private readonly CallInvoker _invoker = client.Channel.CreateCallInvoker();
    private readonly Metadata _headers = new() { { "authorization", "Bearer " + apiKey } };

    private static Marshaller<T> Request<T>() where T : IMessage<T> =>
        Marshallers.Create<T>((message, context) => context.Complete(message.ToByteArray()), _ => throw new NotSupportedException("a request is never read"));

    private CallOptions Options() => new(_headers, DateTime.UtcNow + timeout);

    public async Task<Received> GetLoanAsync(GetLoanRequest request) => await _invoker.AsyncUnaryCall(Get, null, Options(), request);

    public async Task<Received> ListLoansAsync(ListLoansRequest request) => await _invoker.AsyncUnaryCall(List, null, Options(), request);

    public async Task<Received> RecordRepaymentAsync(RecordRepaymentRequest request) => await _invoker.AsyncUnaryCall(Repay, null, Options(), request);

    /// <summary>The call through the SDK, its reply decoded and checked: what the counted calls stand for.</summary>
    public async Task CheckedAsync(string kind, string loan, RecordRepaymentRequest? repayment)
    {
        if (repayment is not null)
        {
            var reply = await client.Loans.RecordRepaymentAsync(repayment);
            if (reply.Loan.Name != repayment.Name || reply.InterestFen + reply.PrincipalFen != repayment.AmountFen)
            {
                throw new InvalidOperationException($"RecordRepayment({repayment.Name}) answered {reply.Loan.Name}, {reply.InterestFen} + {reply.PrincipalFen} fen");
            }
        }
        else if (kind == "get")
        {
            var reply = await client.Loans.GetLoanAsync(new GetLoanRequest { Name = loan });
            if (reply.Name != loan || reply.AmountFen <= 0)
            {
                throw new InvalidOperationException($"GetLoan({loan}) answered {reply.Name}, {reply.AmountFen} fen");
            }
        }
        else
        {
            var reply = await client.Loans.ListLoansAsync(new ListLoansRequest { PageSize = 50 });
            if (reply.Loans.Count != 50 || reply.NextPageToken.Length == 0)
            {
                throw new InvalidOperationException($"ListLoans answered {reply.Loans.Count} loans, next page token '{reply.NextPageToken}'");
            }
        }
    }
}

/// <summary>A reply received and counted, not decoded.</summary>
internal sealed record Received(int Bytes);
