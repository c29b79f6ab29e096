// The domain is one model; its folders (and namespaces) are the map. Every part sees the others.
global using Danbao.Domain.Awards;
global using Danbao.Domain.Borrowers;
global using Danbao.Domain.Calendar;
global using Danbao.Domain.Compensation;
global using Danbao.Domain.Eligibility;
global using Danbao.Domain.Figures;
global using Danbao.Domain.Interest;
global using Danbao.Domain.Ledger;
global using Danbao.Domain.Leverage;
global using Danbao.Domain.Loans;
global using Danbao.Domain.Policy;
global using Danbao.Domain.Publicity;
global using Danbao.Domain.Rates;
global using Danbao.Domain.Results;
global using Danbao.Domain.Subsidy;
global using Danbao.Domain.Text;
global using Danbao.Domain.Time;
