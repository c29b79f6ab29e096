// Refusals and results live in Danbao.Domain.Results (callers: `using Danbao.Domain.Results;`).
global using Danbao.Domain.Results;
