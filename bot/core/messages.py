"""Everything the bot says in its own words, in Chinese and English."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from knowledge.text import Lang

_MESSAGES: dict[str, dict[Lang, str]] = {
    "working": {
        "en": ":hourglass_flowing_sand: Looking that up in the playbook…",
        "zh": ":hourglass_flowing_sand: 正在查找运营手册…",
    },
    "sources": {"en": "Sources", "zh": "来源"},
    "read_as": {"en": "Searched for {words}.", "zh": "已按{words}查找。"},
    "read_as_word": {"en": "“{read_as}” (typed “{typed}”)", "zh": "“{read_as}”(输入的是“{typed}”)"},
    "more_in_source": {"en": "more there", "zh": "原文还有更多"},
    "not_found": {
        "en": "I couldn't find anything in the playbook or your team's documents that answers this. "
        "Try rephrasing with the key term (e.g. RFM, renewal, retrospective), or see `/ops help`.",
        "zh": "在运营手册和团队文档里都没有找到能回答这个问题的内容。可以换个说法或带上关键词"
        "(如 RFM、续约、复盘)再问,或输入 `/ops help` 查看用法。",
    },
    "not_found_closest": {
        "en": "Nothing in the playbook or your team's documents answers this directly. The closest "
        "sections are below and may help; or ask again with the key term, or see `/ops help`.",
        "zh": "运营手册和团队文档里没有能直接回答这个问题的内容。下面是最接近的章节,或许有帮助;"
        "也可以带上关键词再问,或输入 `/ops help` 查看用法。",
    },
    "not_found_closest_other_language": {
        "en": "Nothing in the playbook or your team's documents answers this directly. The closest "
        "sections are below, written in Chinese, and may help; or ask again with the key term, or see "
        "`/ops help`.",
        "zh": "运营手册和团队文档里没有能直接回答这个问题的内容。下面最接近的章节是英文写的,或许有帮助;"
        "也可以带上关键词再问,或输入 `/ops help` 查看用法。",
    },
    "no_formula": {
        "en": "The playbook and your team's documents don't say how to compute this, so I won't make "
        "up a formula. The closest sections are below; or see `/ops help`.",
        "zh": "运营手册和团队文档里没有讲这个怎么计算,我就不自己编公式了。下面是最接近的章节,"
        "也可以输入 `/ops help` 查看用法。",
    },
    "no_benchmark": {
        "en": "The playbook and your team's documents give no figure for what is normal here, so I "
        "won't guess one. The closest sections are below; or see `/ops help`.",
        "zh": "运营手册和团队文档里没有给出这个指标多少算正常的数字,我就不乱猜了。下面是最接近的章节,"
        "也可以输入 `/ops help` 查看用法。",
    },
    "not_covered": {
        "en": "The sources I found don't cover this question, so I won't guess. "
        "Closest sections are listed below; see also `/ops help`.",
        "zh": "找到的资料没有覆盖这个问题,我就不乱猜了。下面列出最接近的章节,也可以输入 `/ops help`。",
    },
    "other_language_sources": {
        "en": "The documents that answer this are written in Chinese, so they are quoted as written.",
        "zh": "回答这个问题的资料是英文写的,以下按原文引用。",
    },
    "llm_unavailable": {
        "en": "The language model did not respond, so this is the direct extract from the sources.",
        "zh": "语言模型暂时没有响应,以下是直接从资料中摘出的内容。",
    },
    "llm_ungrounded": {
        "en": "The language model's answer did not cite the sources, so this is the direct extract from "
        "them.",
        "zh": "语言模型的回答没有引用资料来源,以下是直接从资料中摘出的内容。",
    },
    "llm_unbacked": {
        "en": "The language model's answer gave a figure the sources do not, so this is the direct extract "
        "from them.",
        "zh": "语言模型的回答里有资料中没有的数字,以下是直接从资料中摘出的内容。",
    },
    "empty_question": {
        "en": "Ask me an ops question, e.g. `@opsbot how do I run a retrospective?`, or see `/ops help`.",
        "zh": "请直接提问,例如 `@opsbot 复盘怎么做?`,或输入 `/ops help` 查看用法。",
    },
    "question_too_long": {
        "en": "That message is {length} characters long: ask one question in under {limit} characters. "
        "To add a whole document to what I answer from, upload it with `/ops learn`.",
        "zh": "这条消息有 {length} 个字符:请把问题控制在 {limit} 个字符以内,一次问一个问题。"
        "如果想让我学习整篇文档,请用 `/ops learn` 上传。",
    },
    "failed": {
        "en": "Sorry, something went wrong while answering. Nothing was lost; please try again in a "
        "minute. If it keeps happening, tell your opsbot admin (reference: {ref}).",
        "zh": "抱歉,回答时出了问题,没有丢失任何内容,请稍后再试。如果反复出现,请联系 opsbot 管理员(编号:{ref})。",
    },
    "one_moment": {"en": ":hourglass_flowing_sand: One moment…", "zh": ":hourglass_flowing_sand: 稍等…"},
    "working_file": {
        "en": ":hourglass_flowing_sand: Reading your file…",
        "zh": ":hourglass_flowing_sand: 正在读取文件…",
    },
    "rfm_needs_file": {
        "en": "I need a transaction CSV (customer, date, amount). Share the file here, then run `/ops rfm` "
        "again, or send it to me in a DM with the word `rfm`. A file link works too: `/ops rfm LINK`.",
        "zh": "需要一份交易明细 CSV(客户、日期、金额)。请先把文件分享到这里再运行 `/ops rfm`,"
        "或者私信发给我并写上 `rfm`。也可以附上文件链接:`/ops rfm 链接`。",
    },
    "tier_needs_file": {
        "en": "I need a client list CSV (one row per client with columns such as order_amount, "
        "gross_margin, company_size). Share the file here, then run `/ops tier` again, or send it to me "
        "in a DM with the word `tier`. A file link works too: `/ops tier LINK`.",
        "zh": "需要一份客户清单 CSV(每行一个客户,列如 订单金额、毛利率、企业规模)。请先把文件分享到这里再运行 "
        "`/ops tier`,或者私信发给我并写上 `分层`。也可以附上文件链接:`/ops tier 链接`。",
    },
    "files_not_shared": {
        "en": "I could not post the chart and export in this channel ({error}). Invite me with "
        "`/invite @opsbot`, or run the command in a direct message with me.",
        "zh": "无法在这个频道发布图表和导出文件({error})。请用 `/invite @opsbot` 邀请我,或在与我的私信中运行命令。",
    },
    "file_kind_unknown": {
        "en": "I can read {name}, but I can't tell what it holds. Write `rfm` with a transaction CSV "
        "(customer, date, amount) or `tier` with a client list (one row per client).",
        "zh": "能读取 {name},但看不出是什么数据。交易明细(客户、日期、金额)请写 `rfm`,"
        "客户清单(每行一个客户)请写 `分层`。",
    },
    "learn_not_admin": {
        "en": "Only {who} can add documents to what I answer from. Ask one of them to share the file "
        "with me, or to add you to OPSBOT_ADMINS.",
        "zh": "只有{who}可以往知识库里添加文档。请他们把文件发给我,或把你加入 OPSBOT_ADMINS。",
    },
    "learn_progress_one": {
        "en": ":hourglass_flowing_sand: Reading {name} and adding it to what I answer from…",
        "zh": ":hourglass_flowing_sand: 正在阅读 {name} 并加入知识库…",
    },
    "learn_progress": {
        "en": ":hourglass_flowing_sand: Reading {name} ({number} of {total}) and adding it to what I answer from…",
        "zh": ":hourglass_flowing_sand: 正在阅读 {name}(第 {number} 个,共 {total} 个)并加入知识库…",
    },
    "learn_nothing": {
        "en": "There was nothing to add.",
        "zh": "没有可添加的内容。",
    },
    "learn_needs_file": {
        "en": "Share a document here first (.md, .txt, .html, .docx, .pdf or .pptx, or a spreadsheet of "
        "questions and answers, .xlsx or .csv), then run `/ops learn`, or send the file to me in a DM. A file link "
        "works too: `/ops learn LINK`.",
        "zh": "请先把文档(.md、.txt、.html、.docx、.pdf 或 .pptx,或问答表格 .xlsx、.csv)分享到这里再运行 `/ops learn`,"
        "或者私信发给我。也可以附上文件链接:`/ops learn 链接`。",
    },
    "unsupported_file": {
        "en": "I can't use {name}. I read CSV files (`rfm`, `tier`), documents to learn from "
        "(.md, .txt, .html, .docx, .pdf, .pptx) and, with `/ops learn`, spreadsheets of questions and answers "
        "(.xlsx, .csv).",
        "zh": "无法处理 {name}。我能读取 CSV 文件(`rfm`、`分层`)、可学习的文档(.md、.txt、.html、.docx、.pdf、.pptx),"
        "以及用 `/ops learn` 学习的问答表格(.xlsx、.csv)。",
    },
    "unknown_command": {
        "en": "I don't know `/ops {name}`. Here is what I can do:",
        "zh": "不认识 `/ops {name}` 这个子命令。可用的命令如下:",
    },
    "feedback_not_filed": {
        "en": "Sorry, I could not file this feedback: nothing was saved. Please try again in a minute; "
        "if it keeps happening, tell your opsbot admin (reference: {ref}).",
        "zh": "抱歉,这条反馈没能登记,没有保存任何内容。请稍后再试;如果反复出现,请联系 opsbot 管理员(编号:{ref})。",
    },
    "feedback_usage": {
        "en": "File feedback: `/ops feedback TEXT customer:NAME` (or use the message menu: *File as feedback*, "
        "or `@opsbot feedback: …`). Also `/ops feedback stats [7d|30d]`, `/ops feedback export [30d|all]`, "
        "`/ops feedback route CATEGORY #channel`, `/ops feedback merge TARGET ITEM…`, `/ops feedback split ITEM`.",
        "zh": "登记反馈:`/ops feedback 内容 客户:名称`(或在消息菜单里选 *File as feedback*,或 `@opsbot 反馈:…`)。"
        "另有 `/ops feedback stats [7d|30d]`、`/ops feedback export [30d|all]`、`/ops feedback route 分类 #频道`、"
        "`/ops feedback merge 目标编号 编号…`、`/ops feedback split 编号`。",
    },
    "feedback_export_empty": {"en": "No feedback was filed {period}.", "zh": "{period}没有登记反馈。"},
    "feedback_export_comment": {
        "en": "Feedback export: {count}, {period}.",
        "zh": "反馈导出:{count},{period}。",
    },
    "feedback_export_sent": {
        "en": "I sent you the CSV ({count}) in our direct messages.",
        "zh": "已把 CSV({count})发到你的私信。",
    },
    "feedback_export_failed": {
        "en": "I could not send you the CSV ({error}). Open a direct message with me and try again.",
        "zh": "无法把 CSV 发给你({error})。请先打开与我的私信再试一次。",
    },
    "feedback_no_routes": {
        "en": "No triage channels yet. Set one with `/ops feedback route bug #product-bugs`.",
        "zh": "还没有设置分派频道。可用 `/ops feedback route bug #产品bug` 设置。",
    },
    "feedback_route_usage": {
        "en": "Use `/ops feedback route CATEGORY #channel` (or `off`). Categories: bug, how_to, ops_admin, "
        "feature_request, complaint, other.",
        "zh": "用法:`/ops feedback route 分类 #频道`(或 `off` 取消)。分类:bug、how_to、ops_admin、"
        "feature_request、complaint、other。",
    },
    "feedback_route_channel": {
        "en": "I can't find the channel {given}. Pick it from the list as you type `#`, and invite me there "
        "with `/invite @opsbot`.",
        "zh": "找不到频道 {given}。请输入 `#` 后从列表中选择,并在该频道用 `/invite @opsbot` 邀请我。",
    },
    "feedback_group_usage": {
        "en": "Use `/ops feedback merge TARGET ITEM…` (ITEM raises the same problem as TARGET) or "
        "`/ops feedback split ITEM` (ITEM is a problem of its own), with the numbers shown as #12.",
        "zh": "用法:`/ops feedback merge 目标编号 编号…`(这些反馈和目标是同一个问题),或 "
        "`/ops feedback split 编号`(这条反馈是单独的问题)。编号即 #12 中的数字。",
    },
    "feedback_group_not_admin": {
        "en": "Only {who} can merge or split feedback groups.",
        "zh": "只有{who}可以合并或拆分反馈分组。",
    },
    "feedback_group_missing": {
        "en": "There is no feedback #{id}. `/ops feedback stats` lists the problems raised most often.",
        "zh": "没有编号为 #{id} 的反馈。`/ops feedback stats` 可以查看最常被提到的问题。",
    },
    "feedback_merged": {
        "en": "{items} now counted with #{target}: {count} reports of the same problem, from {customers}.",
        "zh": "{items} 已和 #{target} 合并计数:同一个问题共 {count} 条,来自 {customers} 个客户。",
    },
    "feedback_same_as_number": {
        "en": "Type the number of the earlier report, such as 12.",
        "zh": "请输入较早那条反馈的编号,如 12。",
    },
    "feedback_same_as_itself": {
        "en": "That is this report itself: type the number of the report it repeats.",
        "zh": "这就是本条反馈,请输入它重复的那条反馈的编号。",
    },
    "feedback_split": {
        "en": "#{id} now counts as a problem of its own. Automatic grouping will not move it again.",
        "zh": "#{id} 已单独计为一个问题,自动分组不会再移动它。",
    },
    "feedback_route_not_admin": {
        "en": "Only {who} can change where feedback is routed.",
        "zh": "只有{who}可以修改反馈的分派频道。",
    },
    "feedback_route_set": {
        "en": "New {label} feedback will be posted in <#{channel}>.",
        "zh": "之后新登记的「{label}」反馈会发到 <#{channel}>。",
    },
    "feedback_route_off": {
        "en": "{label} feedback is no longer posted anywhere.",
        "zh": "「{label}」反馈不再分派到频道。",
    },
    "feedback_unfinished": {
        "en": "Feedback #{id} is filed, but I could not finish posting about it. Nothing is lost; "
        "tell your opsbot admin if this keeps happening (reference: {ref}).",
        "zh": "反馈 #{id} 已登记,但后续通知没能完成。内容没有丢失;如果反复出现请联系 opsbot 管理员(编号:{ref})。",
    },
    "todo_saved_unlisted": {
        "en": "Saved, but I could not show your list just now. Try `/ops todo` again in a minute "
        "(reference: {ref}).",
        "zh": "已保存,但暂时无法显示你的清单。请稍后再输入 `/ops todo` 查看(编号:{ref})。",
    },
    "feedback_failed": {
        "en": "Sorry, that did not work. Nothing was changed; please try again in a minute "
        "(reference: {ref}).",
        "zh": "抱歉,操作没有成功,也没有改动任何内容,请稍后再试(编号:{ref})。",
    },
    "feedback_no_text": {
        "en": "That message has no text to file as feedback (files alone cannot be filed). "
        "Describe it with `/ops feedback TEXT` instead.",
        "zh": "这条消息没有可登记的文字(只有文件无法登记)。请改用 `/ops feedback 内容` 描述一下。",
    },
    "feedback_cut": {
        "en": "That message is longer than {limit} characters: I filed the beginning, and the link "
        "leads to the whole message.",
        "zh": "这条消息超过 {limit} 个字符:已登记开头部分,完整内容可通过原消息链接查看。",
    },
    "feedback_empty_mention": {
        "en": "Write the feedback after `feedback:`, e.g. `@opsbot feedback: export fails with error 500 "
        "customer:Acme`.",
        "zh": "请把反馈写在 `反馈:` 后面,例如 `@opsbot 反馈:导出报表报错500 客户:华星科技`。",
    },
    "feedback_filing_slow": {
        "en": ":hourglass_flowing_sand: Filing this feedback is taking longer than usual (the database is "
        "slow). I will confirm here once it is saved, or tell you if it could not be; no need to send it again.",
        "zh": ":hourglass_flowing_sand: 这条反馈的登记比平时慢(数据库响应慢)。保存后我会在这里确认,"
        "若没能保存也会告诉你;不用重新发送。",
    },
    "feedback_pending": {
        "en": ":hourglass_flowing_sand: Filed as #{id}; categorizing it…",
        "zh": ":hourglass_flowing_sand: 已登记为 #{id},正在分类…",
    },
    "weekly_channel_set": {
        "en": ":white_check_mark: The weekly summary will be posted in this channel every {when} ({zone}). "
        "`/ops weekly channel off` stops it.",
        "zh": ":white_check_mark: 每周总结将于每{when}({zone})发到这个频道。`/ops weekly channel off` 可停止。",
    },
    "weekly_channel_announce": {
        "en": ":calendar: <@{user}> chose this channel for opsbot's weekly summary: every {when} ({zone}).",
        "zh": ":calendar: <@{user}> 把 opsbot 的每周总结设在了这个频道:每{when}({zone})。",
    },
    "weekly_channel_off": {
        "en": "The weekly summary is no longer posted. `/ops weekly` still shows it to you.",
        "zh": "已停止发送每周总结。`/ops weekly` 仍可随时查看。",
    },
    "weekly_channel_none": {
        "en": "No channel gets the weekly summary yet. In the channel that should, an admin runs "
        "`/ops weekly channel here mon 10:00`.",
        "zh": "还没有频道接收每周总结。管理员可在目标频道输入 `/ops weekly channel here 周一 10:00`。",
    },
    "weekly_channel_show": {
        "en": "The weekly summary is posted in <#{channel}> every {when} ({zone}).",
        "zh": "每周总结于每{when}({zone})发到 <#{channel}>。",
    },
    "weekly_channel_server": {
        "en": "The weekly summary's channel is set on the server (OPSBOT_WEEKLY_CHANNEL = <#{channel}>, "
        "{when}); ask whoever runs opsbot to change it there.",
        "zh": "每周总结的频道由服务器设置(OPSBOT_WEEKLY_CHANNEL = <#{channel}>,{when}),"
        "请联系 opsbot 的运维人员修改。",
    },
    "weekly_channel_not_admin": {
        "en": "Only {who} can choose where the weekly summary goes.",
        "zh": "只有{who}可以设置每周总结发到哪个频道。",
    },
    "weekly_channel_in_dm": {
        "en": "Run `/ops weekly channel here` in the channel that should get the weekly summary, not in a "
        "direct message.",
        "zh": "请在要接收每周总结的频道里输入 `/ops weekly channel here`,而不是在私信中。",
    },
    "weekly_channel_invite": {
        "en": "I cannot post in this channel yet: invite me with `/invite @opsbot`, then run the command "
        "again. Nothing was changed.",
        "zh": "我还不能在这个频道发消息:请先用 `/invite @opsbot` 邀请我,再输入一次命令。没有做任何更改。",
    },
    "weekly_channel_bad_time": {
        "en": "“{text}” is not one weekday and a time: use e.g. `mon 10:00` (summary in English) or "
        "`周一 10:00` (in Chinese). Nothing was changed.",
        "zh": "“{text}”不是一个星期几加时间:例如 `周一 10:00`(中文总结)或 `mon 10:00`(英文总结)。"
        "没有做任何更改。",
    },
    "weekly_channel_usage": {
        "en": "Use `/ops weekly channel here [mon 10:00]`, `/ops weekly channel off` or "
        "`/ops weekly channel`.",
        "zh": "用法:`/ops weekly channel here [周一 10:00]`、`/ops weekly channel off` 或 "
        "`/ops weekly channel`。",
    },
    "feedback_export_not_admin": {
        "en": "Exports hold every item, from every channel, so only {who} can export feedback. "
        "`/ops feedback stats` shows the counts.",
        "zh": "导出包含所有频道的全部反馈,只有{who}可以导出。`/ops feedback stats` 可查看统计。",
    },
    "feedback_period_usage": {
        "en": "Give the period as days, e.g. `/ops feedback {word} 7d` or `30d`, or `all`.",
        "zh": "时间范围请写天数,例如 `/ops feedback {word} 7d` 或 `30d`,或 `all`。",
    },
    "feedback_gone": {
        "en": "That feedback item no longer exists.",
        "zh": "这条反馈已不存在。",
    },
    "todo_title": {"en": "Your to-dos", "zh": "你的待办"},
    "usage": {"en": "usage", "zh": "使用情况"},
    "todo_empty": {
        "en": "Nothing on your list. Add the first with `/ops todo add call Acme about the renewal`.",
        "zh": "清单是空的。可以用 `/ops todo add 给华星打电话谈续约` 添加第一条。",
    },
    "digest_on": {
        "en": "Your morning digest comes at {at} ({tz}) on working days",
        "zh": "晨间摘要在工作日 {at}({tz})发送",
    },
    "digest_paused": {"en": "Your morning digest is off", "zh": "晨间摘要已关闭"},
    "digest_turn_on": {
        "en": ". Turn it on with `/ops digest on` (and pick the time with `/ops digest at 08:30`).",
        "zh": "。用 `/ops digest on` 开启(用 `/ops digest at 08:30` 设定时间)。",
    },
    "digest_snoozed": {"en": ", snoozed through {until}", "zh": ",暂停到 {until}"},
    "analysis_heading": {
        "en": "Analysing {metric} {arrow} on {day}: the playbook's checklist",
        "zh": "分析 {day} 的{metric}{arrow}:手册中的排查清单",
    },
    "analysis_todo": {"en": "Analyse {metric} on {day}", "zh": "分析 {day} 的{metric}异常"},
    "answer_vote_up": {"en": "Helpful", "zh": "有帮助"},
    "answers_not_admin": {
        "en": "Answer statistics name who asked what, so only {who} can see them.",
        "zh": "问答统计包含谁问了什么,只有{who}可以查看。",
    },
    "answers_summary": {
        "en": "*Last {days} days:* {questions} answered, {unanswered} not answered; "
        "👍 {helpful} · 👎 {not_helpful}",
        "zh": "*最近 {days} 天:* 回答了 {answered} 个问题,{unanswered} 个没有答案;👍 {helpful} · 👎 {not_helpful}",
    },
    "answers_worst": {"en": "To work on", "zh": "需要改进的问题"},
    "answers_question": {
        "en": "asked {asked}, not answered {unanswered}, 👎 {not_helpful}",
        "zh": "问了 {asked} 次,{unanswered} 次没有答案,👎 {not_helpful}",
    },
    "answers_next": {
        "en": "`opsbot answers export --eval to-fix.jsonl` writes these as an evaluation file; add documents "
        "that answer them with `/ops learn`.",
        "zh": "`opsbot answers export --eval to-fix.jsonl` 可把这些问题导出为评测文件;用 `/ops learn` 添加能回答它们的文档。",
    },
    "answer_vote_down": {"en": "Not helpful", "zh": "没帮助"},
    "answer_vote_glad": {"en": "Thanks, glad it helped.", "zh": "谢谢反馈,很高兴能帮上忙。"},
    "answer_vote_thanks": {
        "en": "Thanks, noted. Answers people found unhelpful are reviewed to make opsbot better.",
        "zh": "谢谢,已记录。被标为没帮助的回答会被整理复查,用来改进 opsbot。",
    },
    "answer_vote_title": {"en": "What was missing?", "zh": "缺了什么?"},
    "answer_vote_label": {
        "en": "What was missing or wrong in the answer? (optional)",
        "zh": "这个回答缺了什么,或哪里不对?(可不填)",
    },
    "answer_vote_submit": {"en": "Send", "zh": "提交"},
    "answer_vote_close": {"en": "Skip", "zh": "跳过"},
    "answer_vote_gone": {
        "en": "That answer is no longer in the log, so the vote was not kept.",
        "zh": "这条回答已不在记录中,投票未保存。",
    },
    "answer_vote_failed": {
        "en": "Your vote could not be saved just now. Please try again in a minute.",
        "zh": "暂时无法保存你的投票,请稍后再试。",
    },
}

HELP: dict[Lang, str] = {
    "en": (
        "*opsbot* answers ops questions from its ops playbook, with sources.\n"
        "• Mention me in a channel: `@opsbot how do I tier clients?` (I answer in the thread)\n"
        "• Or send me a direct message.\n"
        "• `/ops ask QUESTION` — answer visible only to you\n"
        "• `/funnel 500w sales / 5% customers / 80% downloads` — funnel math "
        "(a figure on a stage is checked: `/ 5% 1000w customers`; `… what-if 5%->6%`)\n"
        "• `/ops rfm` — RFM segments of a transaction CSV you shared here (or DM me the file with `rfm`)\n"
        "• `/ops tier` — client value scores and tiers (KA / regular / small-micro) from a client list CSV\n"
        "• `/ops learn` — add a document you shared (or DM me the file); `/ops sources` — what I know; "
        "`/ops answers` — how answers did (admins)\n"
        "• `/ops feedback TEXT customer:NAME` — file feedback (also: message menu → *File as feedback*, or "
        "`@opsbot feedback: …`); `/ops feedback stats`, `export`, `route`\n"
        "• `/ops todo` — your private to-do list (`/ops todo add TEXT`, `/ops todo done N`)\n"
        "• `/ops digest` — your morning digest: `off`, `on`, `snooze 3d`, `at 08:30`, `days mon-fri`\n"
        "• `/ops renewal CLIENT` — a renewal brief: usage, risks, discount ladder, a draft to the client; "
        "`/ops clients` imports the client list CSV you shared (admins)\n"
        "• `/ops weekly [week-of 2026-11-16]` — the weekly summary; "
        "`/ops weekly channel here [mon 10:00]` posts it in this channel every week\n"
        "• `/ops goal` — goals and their pace; `/ops goal add Q1 sales metric=sales target=1.2亿 "
        "2027-01-01..2027-03-31`, `/ops goal close NAME`\n"
        "• `/ops health [CLIENT]` — client health, worst first; one client with its reasons and a chart\n"
        "• `/ops retro [METRIC 2026-11-01..2026-11-15]` — write a retrospective in four steps\n"
        "• `/ops help` — this help\n"
        "Ask in Chinese or English; I answer in the language of the question."
    ),
    "zh": (
        "*opsbot* 根据运营手册回答运营问题,并注明来源。\n"
        "• 在频道里 @我:`@opsbot 客户分层怎么做?`(在消息串里回答)\n"
        "• 或者直接私信我。\n"
        "• `/ops ask 问题` —— 只有你能看到的回答\n"
        "• `/funnel 500万 销售 / 5% 客户 / 80% 下载` —— 漏斗拆解(阶段上写了数字就会核对:`/ 5% 1000万 客户`;`… 假如 5%->6%`)\n"
        "• `/ops rfm` —— 对刚分享的交易明细 CSV 做 RFM 分群(或私信发文件并写 `rfm`)\n"
        "• `/ops tier` —— 按客户清单 CSV 做价值评分与分层(KA / 普通 / 小微)\n"
        "• `/ops learn` —— 把刚分享的文档加入知识库(或私信发文件);`/ops sources` —— 查看知识来源;"
        "`/ops 回答` —— 问答效果统计(管理员)\n"
        "• `/ops feedback 内容 客户:名称` —— 登记反馈(也可在消息菜单选 *File as feedback*,或 `@opsbot 反馈:…`);"
        "`/ops feedback stats`、`export`、`route`\n"
        "• `/ops todo` —— 你的个人待办(`/ops todo add 内容`、`/ops todo done 序号`)\n"
        "• `/ops digest` —— 晨间摘要:`off`、`on`、`snooze 3d`、`at 08:30`、`days 周一至周五`\n"
        "• `/ops 续约 客户` —— 续约简报:使用情况、风险、折扣阶梯、给客户的消息草稿;"
        "`/ops 客户清单` 导入刚分享的客户清单 CSV(管理员)\n"
        "• `/ops 周报 [week-of 2026-11-16]` —— 每周总结;"
        "`/ops 周报 频道 这里 [周一 10:00]` 每周发到本频道\n"
        "• `/ops 目标` —— 目标及进度;`/ops 目标 添加 一季度销售 指标=sales 目标值=1.2亿 "
        "2027-01-01..2027-03-31`、`/ops 目标 关闭 名称`\n"
        "• `/ops 健康度 [客户]` —— 客户健康度,从最差的开始;指定客户时列出原因并私信趋势图\n"
        "• `/ops 复盘 [指标 2026-11-01..2026-11-15]` —— 按四步写复盘\n"
        "• `/ops help` —— 查看本帮助\n"
        "中英文提问都可以,我用提问的语言回答。"
    ),
}


def say(key: str, lang: Lang, **values: str) -> str:
    """The message `key` in `lang`, with `{placeholders}` filled."""
    return _MESSAGES[key][lang].format(**values)


def digest_schedule(
    lang: Lang, at: str, zone: str, weekdays: Iterable[int], paused: bool, snoozed_until: date | None
) -> str:
    """An owner's digest settings in words: when it comes and on which days, or that it is off,
    with any snooze (`/ops digest` replies with it; the Home tab shows it)."""
    names = "一二三四五六日" if lang == "zh" else ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    days = ("、" if lang == "zh" else ",").join(names[d] for d in sorted(weekdays))
    state = say("digest_paused", lang) if paused else say("digest_on", lang, at=at, tz=zone)
    if snoozed_until and not paused:
        state += say("digest_snoozed", lang, until=snoozed_until.isoformat())
    return f"{state} ({days})"
