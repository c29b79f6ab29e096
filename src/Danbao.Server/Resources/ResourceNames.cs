namespace Danbao.Server.Resources;

/// <summary>Every resource name the API uses. Handlers format and parse names only through these.</summary>
public static class ResourceNames
{
    public static readonly ResourceName Loan = new("loans", "danbao.v1.Loan", "loan", "loans/L0123ABCDEF4567", 2, 34);
    public static readonly ResourceName Claim = new("claims", "danbao.v1.Claim", "claim", "claims/C0123ABCDEF4567", 2, 33);
    public static readonly ResourceName SubsidyClaim = new("subsidyClaims", "danbao.v1.SubsidyClaim", "subsidy claim", "subsidyClaims/C0123ABCDEF4567", 6, 46);
    public static readonly ResourceName Institution = new("institutions", "danbao.v1.Institution", "institution", "institutions/gz-fund", 1, 67);
    public static readonly ResourceName PolicyVersion = new("policyVersions", "danbao.v1.PolicyVersion", "policy version", "policyVersions/42, as ListPolicyVersions names it", 1, 200);
    public static readonly ResourceName ApiKey = new("apiKeys", "danbao.v1.ApiKey", "API key", "apiKeys/abcdef123456", 12, 12);
    public static readonly ResourceName ClientCertificate = new("clientCertificates", "danbao.v1.ClientCertificate", "client certificate", "clientCertificates/3f2a…", 1, 128);
    public static readonly ResourceName Statement = new("statements", "danbao.v1.Statement", "statement", "statements/S0123ABCDEF4567", 1, 49);
}
