namespace Danbao.Domain.Borrowers;

/// <summary>Key groups eligible for support (重点扶持对象), 粤人社规〔2022〕25号 (policy.md §2).</summary>
public enum KeyGroup
{
    /// <summary>城镇登记失业人员</summary>
    RegisteredUnemployed,

    /// <summary>就业困难人员（含残疾人）</summary>
    EmploymentDifficulty,

    /// <summary>退役军人</summary>
    Veteran,

    /// <summary>刑满释放人员</summary>
    ReleasedPrisoner,

    /// <summary>高校（含技工院校）毕业生</summary>
    Graduate,

    /// <summary>化解过剩产能企业职工</summary>
    CapacityCutWorker,

    /// <summary>返乡创业农民工</summary>
    ReturningMigrantFounder,

    /// <summary>网络商户</summary>
    OnlineMerchant,

    /// <summary>脱贫人口</summary>
    LiftedOutOfPoverty,

    /// <summary>农民</summary>
    Farmer,

    /// <summary>港澳台自主创业人员 (priority borrowers in Guangzhou)</summary>
    HongKongMacauTaiwanFounder,
}
