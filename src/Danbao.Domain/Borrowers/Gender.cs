namespace Danbao.Domain;

public enum Gender
{
    Female,
    Male,
}
