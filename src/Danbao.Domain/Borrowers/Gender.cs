namespace Danbao.Domain.Borrowers;

public enum Gender
{
    Female,
    Male,
}
