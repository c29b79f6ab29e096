global using Danbao.Domain.Results;
