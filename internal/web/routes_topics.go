package web

import "dangjian/internal/party"

// topicRoutes are the routes of the 第一议题 ledger, the rules and the event-type catalogue, notification channels.
func (s *Server) topicRoutes() []route {
	return []route{
		// topics.go: the 第一议题 ledger and its coverage in the user's subtrees. The ledger is
		// shared by every organization, so only an administrator of the whole installation
		// changes it.
		{"GET /topics", s.topicList, anywhere(party.ActComplianceRead), 0},
		{"GET /topics/new", s.topicNew, installation(party.ActTopicWrite), 0},
		{"POST /topics", s.topicCreate, installation(party.ActTopicWrite), maxFormBody},
		{"GET /topics/{tid}", s.topicShow, anywhere(party.ActComplianceRead), 0},
		{"GET /topics/{tid}/edit", s.topicEdit, installation(party.ActTopicWrite), 0},
		{"POST /topics/{tid}/edit", s.topicUpdate, installation(party.ActTopicWrite), maxFormBody},

		// rules_admin.go: the rules, in force and past; the handlers check the rule's scope.
		{"GET /admin/rules", s.ruleList, anywhere(party.ActRuleAdmin), 0},
		{"GET /admin/rules/new", s.ruleNew, anywhere(party.ActRuleAdmin), 0},
		{"POST /admin/rules", s.ruleCreate, anywhere(party.ActRuleAdmin), maxFormBody},
		{"GET /admin/rules/{rid}/edit", s.ruleEdit, anywhere(party.ActRuleAdmin), 0},
		{"POST /admin/rules/{rid}/edit", s.ruleUpdate, anywhere(party.ActRuleAdmin), maxFormBody},
		{"POST /admin/rules/{rid}/end", s.ruleEnd, anywhere(party.ActRuleAdmin), maxFormBody},

		// event_types.go: the catalogue of event types.
		{"GET /admin/event-types", s.eventTypeList, anywhere(party.ActRuleAdmin), 0},
		{"POST /admin/event-types", s.eventTypeCreate, installation(party.ActRuleAdmin), maxFormBody},
		{"POST /admin/event-types/{code}/active", s.eventTypeActive, installation(party.ActRuleAdmin), maxFormBody},
		{"POST /admin/event-types/{code}/kinds", s.eventTypeKinds, installation(party.ActRuleAdmin), maxFormBody},

		// channels.go: notification channels, their test send and deliveries (党建管理员; the
		// handlers keep each channel to the subtrees of the user by its 提醒范围).
		{"GET /admin/channels", s.channelList, anywhere(party.ActChannelAdmin), 0},
		{"GET /admin/channels/new", s.channelNew, anywhere(party.ActChannelAdmin), 0},
		{"POST /admin/channels", s.channelCreate, anywhere(party.ActChannelAdmin), maxFormBody},
		{"GET /admin/channels/{cid}/edit", s.channelEdit, anywhere(party.ActChannelAdmin), 0},
		{"POST /admin/channels/{cid}/edit", s.channelUpdate, anywhere(party.ActChannelAdmin), maxFormBody},
		{"POST /admin/channels/{cid}/test", s.channelTest, anywhere(party.ActChannelAdmin), maxFormBody},
		{"GET /admin/channels/{cid}/deliveries", s.channelDeliveries, anywhere(party.ActChannelAdmin), 0},
	}
}
