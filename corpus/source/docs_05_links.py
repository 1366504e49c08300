"""Policies and 政策解读 written to exercise each linking path, plus two more non-links (fictional).

Pairs: an interpretation citing only the 发文字号; a 负责人就《…》答记者问; a 一图读懂 whose body names the
policy through 以下简称; two versions of one 办法 with an interpretation of each (its date picks the
version); a DOCX interpretation of a PDF policy; an interpretation of a 实施细则 citing the full
`关于印发〈…〉的通知` title with nested quotes. Non-links: an interpretation of a provincial policy that
is not in the corpus, and a work report citing corpus policies.
"""

CIVIL = "示例市民政局"
FIN = "示例市财政局"
SAMR = "示例市市场监督管理局"
HOUSING = "示例市住房和城乡建设局"
NDRC = "示例市发展和改革委员会"
ENV = "示例市生态环境局"
GOV_OFFICE = "示例市人民政府办公室"
DEPT_ADDR = "各区{0}，市直有关单位："
OFFICE_ADDR = "各区人民政府，市政府各部门，各直属机构："

DOCS = [
    # ------------------------------------------------ 发文字号 only: 老年助餐
    {
        "file": "civil-affairs/2025-smf-6-elderly-meal-aid.pdf",
        "mark": [CIVIL, FIN],
        "issuer": [CIVIL, FIN],
        "doc_number": "示民发〔2025〕6号",
        "title": "示例市民政局 示例市财政局关于做好老年助餐服务补贴发放工作的通知",
        "addressees": "各区民政局、财政局：",
        "written_date": "2025-04-08",
        "doc_type": "通知",
        "topic": "社会保障",
        "body": """
为加快构建覆盖城乡的老年助餐服务体系，切实解决老年人就餐难题，现就做好老年助餐服务补贴发放工作通知如下：
一、补贴对象。本市户籍60周岁以上老年人在经认定的社区长者食堂、老年助餐点就餐的，均可享受助餐补贴。
二、补贴标准。60周岁至79周岁老年人每餐补贴2元，80周岁以上老年人每餐补贴4元；特困、低保、低保边缘家庭老年人每餐再增加3元。每人每日补贴不超过2餐。
三、发放方式。补贴实行“刷卡即享”，老年人凭社保卡或者“示例通”APP在助餐点结算时直接抵扣，无需另行申请。助餐点每月凭结算数据向所在区民政局申请拨付补贴资金。
四、资金保障。补贴资金由市、区财政按照5:5比例分担，纳入年度预算。各区民政局要加强助餐点食品安全和服务质量监管，对虚报就餐人次骗取补贴的，依法追回并取消助餐点资格。
本通知自2025年5月1日起施行。
""",
        "publicity": "（此件公开发布）",
        "printer": "示例市民政局办公室",
        "print_date": "2025-04-09",
    },
    {
        "file": "civil-affairs/2025-elderly-meal-aid-illustrated.docx",
        "issuer": [CIVIL],
        "title": "图解：老年人在家门口吃饭能领多少补贴",
        "source_line": "来源：示例市民政局　　发布时间：2025-04-15",
        "written_date": "2025-04-15",
        "doc_type": "解读",
        "topic": "社会保障",
        "is_interpretation": True,
        "interprets": "civil-affairs/2025-smf-6-elderly-meal-aid.pdf",
        "body": """
市民政局、市财政局近日联合印发示民发〔2025〕6号文件，5月1日起，全市老年人在社区长者食堂就餐可以享受补贴。
谁能享受？本市户籍60周岁以上老年人。
补多少？60至79周岁每餐2元，80周岁以上每餐4元；特困、低保、低保边缘家庭老年人每餐再加3元，每天最多补2餐。
怎么领？“刷卡即享”，在助餐点结算时出示社保卡或者“示例通”APP，补贴直接抵扣，不用申请。
哪里有助餐点？打开“示例通”APP“养老服务”栏目即可查询附近的长者食堂。
""",
    },
    # ------------------------------------------------ 负责人就《…》答记者问: 食品小作坊
    {
        "file": "market-regulation/2025-ssjg-2-food-workshops.pdf",
        "mark": [SAMR],
        "issuer": [SAMR],
        "doc_number": "示市监规〔2025〕2号",
        "title": "示例市市场监督管理局关于印发《示例市食品小作坊登记管理办法》的通知",
        "addressees": DEPT_ADDR.format("市场监督管理局"),
        "written_date": "2025-06-03",
        "doc_type": "通知",
        "topic": "市场监管",
        "body": """
现将《示例市食品小作坊登记管理办法》印发给你们，请认真贯彻执行。
""",
        "attachments": ["示例市食品小作坊登记管理办法"],
        "attachment_body": """
第一条　为规范食品小作坊生产经营活动，保障食品安全，根据《示例省食品小作坊小餐饮和食品摊贩管理条例》，制定本办法。
第二条　本办法所称食品小作坊，是指有固定生产加工场所，从业人员较少，生产加工条件简单，从事传统、特色食品生产加工的经营者。
第三条　食品小作坊实行登记管理。申请人通过“一网通办”平台提交登记申请，区市场监督管理局应当在5个工作日内完成现场核查并作出决定，登记证有效期5年。
第四条　食品小作坊不得生产加工婴幼儿配方食品、保健食品和特殊医学用途配方食品，不得接受委托生产加工食品。
第五条　食品小作坊应当在生产加工场所醒目位置公示登记证、从业人员健康证明和生产加工食品品种。
第六条　本办法自2025年7月1日起施行，有效期5年。
""",
        "publicity": "（此件公开发布）",
        "printer": "示例市市场监督管理局办公室",
        "print_date": "2025-06-04",
    },
    {
        "file": "market-regulation/2025-food-workshops-qa.docx",
        "issuer": [SAMR],
        "title": "示例市市场监管局负责人就《示例市食品小作坊登记管理办法》答记者问",
        "source_line": "来源：示例市市场监督管理局　　发布时间：2025-06-10",
        "written_date": "2025-06-10",
        "doc_type": "解读",
        "topic": "市场监管",
        "is_interpretation": True,
        "interprets": "market-regulation/2025-ssjg-2-food-workshops.pdf",
        "body": """
问：为什么要出台这个办法？
答：我市现有食品小作坊1200余家，以往登记标准各区不一，办理时间长。办法统一了登记条件和流程，既守住食品安全底线，又为小作坊经营者提供便利。
问：登记怎么办理？
答：通过“一网通办”平台提交申请，区市场监督管理局5个工作日内完成现场核查并作出决定，登记证有效期5年。
问：哪些食品小作坊不能生产？
答：婴幼儿配方食品、保健食品和特殊医学用途配方食品不得生产，也不得接受委托生产加工食品。
问：办法什么时候施行？
答：自2025年7月1日起施行。
""",
        "sidecar": {
            "topic": "市场监管",
            "published_date": "2025-06-10",
            "url": "https://scjgj.shili.example/zcjd/202506/t20250610_12.html",
        },
    },
    # ------------------------------------------------ 一图读懂, policy named by 以下简称 in the body
    {
        "file": "development-reform/2025-sfgb-3-charging-facilities.docx",
        "mark": [GOV_OFFICE],
        "issuer": [GOV_OFFICE],
        "doc_number": "示政办发〔2025〕9号",
        "title": "示例市人民政府办公室关于印发《示例市支持充电基础设施建设若干措施》的通知",
        "addressees": OFFICE_ADDR,
        "written_date": "2025-08-12",
        "doc_type": "通知",
        "topic": "城乡建设",
        "body": """
《示例市支持充电基础设施建设若干措施》已经市政府同意，现印发给你们，请认真组织实施。
""",
        "attachments": ["示例市支持充电基础设施建设若干措施"],
        "attachment_body": """
一、到2027年底，全市建成公共充电桩2万个，实现城区3公里充电服务圈、乡镇充电站全覆盖。
二、对新建公共充电站按照充电设备投资额的20%给予一次性建设补贴，单个站点最高50万元。
三、新建住宅小区配建固定车位全部建设充电设施或者预留安装条件；既有小区由物业服务企业配合业主安装充电桩，不得无故阻挠。
四、充电设施用电执行居民或者一般工商业电价，免收需量电费至2027年底。
五、市发展和改革委员会负责统筹推进，各区人民政府落实属地责任。
""",
        "publicity": "（此件公开发布）",
        "printer": GOV_OFFICE,
        "print_date": "2025-08-13",
    },
    {
        "file": "development-reform/2025-charging-one-picture.pdf",
        "issuer": [NDRC],
        "title": "一图读懂：我市充电设施建设新政十问十答",
        "source_line": "来源：示例市发展和改革委员会　　发布时间：2025-08-20",
        "written_date": "2025-08-20",
        "doc_type": "解读",
        "topic": "城乡建设",
        "is_interpretation": True,
        "interprets": "development-reform/2025-sfgb-3-charging-facilities.docx",
        "body": """
市政府办公室近日印发《示例市支持充电基础设施建设若干措施》（以下简称《若干措施》），一张图带您看懂。
目标：到2027年底建成公共充电桩2万个，城区3公里充电服务圈。
建站补贴：按设备投资额20%补贴，单站最高50万元。
小区充电：新建小区固定车位全部建设或者预留充电设施；老小区物业要配合安装。
电价优惠：执行居民或者一般工商业电价，需量电费免收至2027年底。
《若干措施》自印发之日起施行。
""",
    },
    # ------------------------------------------------ two versions of one 办法: date picks the version
    {
        "file": "city-government/2021-szbg-3-public-rental-housing.pdf",
        "mark": [GOV_OFFICE],
        "issuer": [GOV_OFFICE],
        "doc_number": "示政办规〔2021〕3号",
        "title": "示例市人民政府办公室关于印发《示例市公共租赁住房管理办法》的通知",
        "addressees": OFFICE_ADDR,
        "written_date": "2021-05-10",
        "doc_type": "通知",
        "topic": "住房保障",
        "validity": "已废止",
        "body": """
《示例市公共租赁住房管理办法》已经市政府同意，现印发给你们，请认真贯彻执行。
""",
        "attachments": ["示例市公共租赁住房管理办法"],
        "attachment_body": """
第一条　公共租赁住房面向本市城镇中等偏下收入住房困难家庭供应，申请家庭人均月收入不高于上年度城镇居民人均可支配收入的60%。
第二条　公共租赁住房租金按照同地段市场租金的70%确定，每两年调整一次。
第三条　租赁合同期限为3年，期满符合条件的可以续租。
第四条　本办法自2021年6月1日起施行。
""",
        "publicity": "（此件公开发布）",
        "printer": GOV_OFFICE,
        "print_date": "2021-05-11",
        "sidecar": {
            "index_no": "11999900MB0A10001X/2021-00047",
            "topic": "住房保障",
            "published_date": "2021-05-12",
            "validity": "已废止",
        },
    },
    {
        "file": "city-government/2025-szbg-4-public-rental-housing.docx",
        "mark": [GOV_OFFICE],
        "issuer": [GOV_OFFICE],
        "doc_number": "示政办规〔2025〕4号",
        "title": "示例市人民政府办公室关于印发《示例市公共租赁住房管理办法》的通知",
        "addressees": OFFICE_ADDR,
        "written_date": "2025-09-02",
        "doc_type": "通知",
        "topic": "住房保障",
        "body": """
《示例市公共租赁住房管理办法》已经市政府同意，现印发给你们，请认真贯彻执行。本办法自2025年10月1日起施行，《示例市人民政府办公室关于印发〈示例市公共租赁住房管理办法〉的通知》（示政办规〔2021〕3号）同时废止。
""",
        "attachments": ["示例市公共租赁住房管理办法"],
        "attachment_body": """
第一条　公共租赁住房面向本市城镇中等偏下收入住房困难家庭、新就业无房职工和在本市稳定就业的外来务工人员供应，取消户籍限制。
第二条　申请家庭人均月收入不高于上年度城镇居民人均可支配收入的80%。
第三条　公共租赁住房租金按照同地段市场租金的60%确定，低保家庭按照10%缴纳。
第四条　申请、审核、轮候通过“一网通办”平台全程网上办理，审核时限由60个工作日压缩至20个工作日。
第五条　租赁合同期限为5年，期满符合条件的可以续租。
""",
        "publicity": "（此件公开发布）",
        "printer": GOV_OFFICE,
        "print_date": "2025-09-03",
        "sidecar": {
            "index_no": "11999900MB0A10001X/2025-00062",
            "topic": "住房保障",
            "published_date": "2025-09-05",
            "validity": "现行有效",
            "url": "https://www.shili.example/zwgk/zcwj/szbg/202509/t20250905_44.html",
        },
    },
    {
        "file": "housing/2021-public-rental-housing-illustrated.docx",
        "issuer": [HOUSING],
        "title": "图解《示例市公共租赁住房管理办法》",
        "source_line": "来源：示例市住房和城乡建设局　　发布时间：2021-05-18",
        "written_date": "2021-05-18",
        "doc_type": "解读",
        "topic": "住房保障",
        "is_interpretation": True,
        "interprets": "city-government/2021-szbg-3-public-rental-housing.pdf",
        "body": """
谁能申请：本市城镇中等偏下收入住房困难家庭，人均月收入不高于上年度城镇居民人均可支配收入的60%。
租金多少：同地段市场租金的70%，每两年调整一次。
住多久：合同期限3年，期满符合条件的可以续租。
什么时候施行：2021年6月1日起。
""",
    },
    {
        "file": "housing/2025-public-rental-housing-interpretation.pdf",
        "issuer": [HOUSING],
        "title": "《示例市公共租赁住房管理办法》政策解读",
        "source_line": "来源：示例市住房和城乡建设局　　发布时间：2025-09-08",
        "written_date": "2025-09-08",
        "doc_type": "解读",
        "topic": "住房保障",
        "is_interpretation": True,
        "interprets": "city-government/2025-szbg-4-public-rental-housing.docx",
        "body": """
一、修订背景
原《示例市公共租赁住房管理办法》自2021年施行以来，保障了1.2万户住房困难家庭。为进一步扩大保障范围，市住房和城乡建设局对原办法进行了修订，新办法自2025年10月1日起施行。
二、主要变化
（一）取消户籍限制，新就业无房职工和在本市稳定就业的外来务工人员可以申请。
（二）收入线由人均可支配收入的60%放宽到80%。
（三）租金由市场租金的70%降至60%，低保家庭按10%缴纳。
（四）审核时限压缩至20个工作日，合同期限延长至5年。
""",
    },
    # ------------------------------------------------ DOCX interpretation of a PDF policy
    {
        "file": "ecology-environment/2025-shg-3-construction-dust.pdf",
        "mark": [ENV, HOUSING],
        "issuer": [ENV, HOUSING],
        "doc_number": "示环规〔2025〕3号",
        "title": "示例市生态环境局 示例市住房和城乡建设局关于印发《示例市建设工地扬尘污染防治管理办法》的通知",
        "addressees": "各区生态环境分局、住房和城乡建设局：",
        "written_date": "2025-03-20",
        "doc_type": "通知",
        "topic": "生态环境",
        "body": """
现将《示例市建设工地扬尘污染防治管理办法》印发给你们，请认真贯彻执行。
""",
        "attachments": ["示例市建设工地扬尘污染防治管理办法"],
        "attachment_body": """
一、建设工地应当做到周边围挡、物料堆放覆盖、出入车辆清洗、施工现场地面硬化、拆迁工地湿法作业、渣土车辆密闭运输“六个百分之百”。
二、建筑面积1万平方米以上的工地应当安装扬尘在线监测和视频监控设备，并与区住房和城乡建设局联网。
三、重污染天气预警期间，工地停止土石方作业和拆除作业。
四、违反本办法的，由住房城乡建设部门责令改正，并纳入建筑市场信用记录。
五、本办法自2025年5月1日起施行。
""",
        "publicity": "（此件公开发布）",
        "printer": "示例市生态环境局办公室",
        "print_date": "2025-03-21",
    },
    {
        "file": "ecology-environment/2025-construction-dust-interpretation.docx",
        "issuer": [ENV],
        "title": "《示例市建设工地扬尘污染防治管理办法》政策解读",
        "source_line": "来源：示例市生态环境局　　发布时间：2025-03-28",
        "written_date": "2025-03-28",
        "doc_type": "解读",
        "topic": "生态环境",
        "is_interpretation": True,
        "interprets": "ecology-environment/2025-shg-3-construction-dust.pdf",
        "body": """
一、起草背景
建设工地扬尘是我市颗粒物污染的重要来源。为落实《示例市2024年大气污染防治工作方案》，市生态环境局会同市住房和城乡建设局制定了本办法。
二、主要内容
（一）明确“六个百分之百”要求：周边围挡、物料覆盖、车辆清洗、地面硬化、湿法作业、密闭运输。
（二）1万平方米以上工地安装在线监测和视频监控设备，与住建部门联网。
（三）重污染天气预警期间停止土石方和拆除作业。
（四）违法行为纳入建筑市场信用记录。
三、施行时间
自2025年5月1日起施行。
""",
        "sidecar": {
            "topic": "生态环境",
            "published_date": "2025-03-28",
            "url": "https://sthjj.shili.example/zcjd/202503/t20250328_7.html",
        },
    },
    # ------------------------------------------------ 实施细则, title cited with nested quotes
    {
        "file": "finance/2025-scg-2-procurement-sme.docx",
        "mark": [FIN],
        "issuer": [FIN],
        "doc_number": "示财规〔2025〕2号",
        "title": "示例市财政局关于印发《示例市政府采购支持中小企业发展实施细则》的通知",
        "addressees": "各区财政局，市直各预算单位：",
        "written_date": "2025-05-16",
        "doc_type": "通知",
        "topic": "财政金融",
        "body": """
现将《示例市政府采购支持中小企业发展实施细则》印发给你们，请遵照执行。
""",
        "attachments": ["示例市政府采购支持中小企业发展实施细则"],
        "attachment_body": """
第一条　采购限额标准以上、200万元以下的货物和服务采购项目，400万元以下的工程采购项目，适宜由中小企业提供的，采购人应当专门面向中小企业采购。
第二条　超过前条限额的项目，预留该部分采购项目预算总额的40%以上专门面向中小企业采购，其中预留给小微企业的比例不低于70%。
第三条　非预留项目对小微企业报价给予10%至20%的价格扣除。
第四条　采购人应当在合同签订之日起10个工作日内支付预付款，预付款比例不低于合同金额的30%。
第五条　本细则自2025年7月1日起施行。
""",
        "publicity": "（此件公开发布）",
        "printer": "示例市财政局办公室",
        "print_date": "2025-05-16",
    },
    {
        "file": "finance/2025-procurement-sme-interpretation.pdf",
        "issuer": [FIN],
        "title": "关于《示例市财政局关于印发〈示例市政府采购支持中小企业发展实施细则〉的通知》的政策解读",
        "source_line": "来源：示例市财政局　　发布时间：2025-05-23",
        "written_date": "2025-05-23",
        "doc_type": "解读",
        "topic": "财政金融",
        "is_interpretation": True,
        "interprets": "finance/2025-scg-2-procurement-sme.docx",
        "body": """
一、为什么制定实施细则？
中小企业是稳就业、促创新的重要力量。实施细则把国家政府采购促进中小企业发展的要求落到我市具体项目上，让中小企业更容易拿到政府订单。
二、有哪些支持措施？
（一）200万元以下货物和服务项目、400万元以下工程项目，适宜由中小企业提供的，专门面向中小企业采购。
（二）超过限额的项目预留40%以上份额给中小企业，其中七成给小微企业。
（三）小微企业报价给予10%至20%的价格扣除。
（四）预付款比例不低于合同金额的30%。
三、什么时候施行？
2025年7月1日起。
""",
    },
    # ------------------------------------------------ not links
    {
        "file": "development-reform/2025-provincial-private-economy-interpretation.docx",
        "issuer": [NDRC],
        "title": "《示例省促进民营经济高质量发展若干措施》政策解读",
        "source_line": "来源：示例市发展和改革委员会　　发布时间：2025-10-15",
        "written_date": "2025-10-15",
        "doc_type": "解读",
        "topic": "营商环境",
        "is_interpretation": True,
        "interprets": None,
        "body": """
省政府近日印发《示例省促进民营经济高质量发展若干措施》（例政发〔2025〕18号，以下简称《若干措施》）。为便于我市企业了解政策，现解读如下。
一、主要内容
《若干措施》从市场准入、要素保障、融资支持、权益保护四个方面提出20条措施，包括全面落实市场准入负面清单、新增建设用地优先保障民营企业重大项目、政府性融资担保费率降至1%以下等。
二、我市如何落实？
市发展和改革委员会将会同有关部门制定配套措施，结合《示例市持续优化营商环境行动方案（2025年版）》推进落实，确保省级政策在我市落地见效。
""",
    },
    {
        "file": "housing/2025-sjb-9-half-year-work-report.pdf",
        "mark": [HOUSING],
        "issuer": [HOUSING],
        "doc_number": "示住建报〔2025〕9号",
        "signer": "孙立平",
        "title": "示例市住房和城乡建设局关于2025年上半年住房保障工作情况的报告",
        "addressees": "市人民政府：",
        "written_date": "2025-07-08",
        "doc_type": "报告",
        "topic": "住房保障",
        "body": """
现将我局2025年上半年住房保障工作情况报告如下：
一、主要工作
（一）落实住房消费政策。执行《示例市促进住房消费若干措施》（示政发〔2024〕3号），上半年发放购房补贴1.9亿元，惠及购房家庭7200户。
（二）推进公共租赁住房保障。按照《示例市公共租赁住房管理办法》，新增配租公共租赁住房860套，启动办法修订工作。
（三）加强建设工地扬尘治理。会同市生态环境局落实《示例市建设工地扬尘污染防治管理办法》，检查工地420个次，责令整改63处。
二、存在的问题
部分区公共租赁住房轮候时间偏长，保障性租赁住房筹集进度不平衡。
三、下半年工作安排
加快公共租赁住房办法修订，扩大保障范围，推进住房保障“一网通办”。
特此报告。
""",
        "publicity": "（此件主动公开）",
        "printer": "示例市住房和城乡建设局办公室",
        "print_date": "2025-07-08",
    },
]
